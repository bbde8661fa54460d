//===- Embeddings.cpp - `embeddings`: a text model's vectors, for people ---===//
//
// Writes the embedding matrix of a checkpoint (a text model's, which holds its
// vocabulary) as the TensorBoard projector reads it, `vectors.tsv` (one row of
// tab-separated numbers per id) and `metadata.tsv` (the token of each row), and a 2-D
// PCA scatter plot of the most frequent words with their labels as SVG. PCA: the two
// leading eigenvectors of the covariance of the plotted rows, by power iteration with
// deflation (the matrix is dim x dim, dim is small).
//
//===----------------------------------------------------------------------===//
#include "Driver.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace nnrt::driver;

namespace {

/// `s` with TSV's and XML's special characters replaced.
std::string clean(const std::string &s, bool xml) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\t' || c == '\n' || c == '\r')
      out += ' ';
    else if (xml && c == '<')
      out += "&lt;";
    else if (xml && c == '>')
      out += "&gt;";
    else if (xml && c == '&')
      out += "&amp;";
    else if (xml && (c < 0x20 || c >= 0x7f))
      out += '?';
    else
      out += char(c);
  }
  return out;
}

/// The leading eigenvector of the symmetric `cov` (n x n), by power iteration.
std::vector<double> leading(const std::vector<double> &cov, int64_t n) {
  std::vector<double> v(static_cast<size_t>(n), 1.0), w(static_cast<size_t>(n), 0.0);
  for (int64_t i = 0; i < n; ++i)
    v[size_t(i)] = 1.0 + 0.01 * double(i % 7); // not orthogonal to the answer
  for (int it = 0; it < 500; ++it) {
    double norm = 0;
    for (int64_t i = 0; i < n; ++i) {
      double s = 0;
      for (int64_t j = 0; j < n; ++j)
        s += cov[size_t(i * n + j)] * v[size_t(j)];
      w[size_t(i)] = s;
      norm += s * s;
    }
    norm = std::sqrt(norm);
    if (norm == 0)
      break;
    for (int64_t i = 0; i < n; ++i)
      v[size_t(i)] = w[size_t(i)] / norm;
  }
  return v;
}

} // namespace

int nnrt::driver::runEmbeddings(const nnrt_model *m, const char *prog, int argc,
                                char **argv) {
  std::vector<FlagSpec> specs = {
      {"weights", true, "checkpoint of a text model (it holds the vocabulary)"},
      {"output", true, "directory for vectors.tsv, metadata.tsv and pca.svg (created)"},
      {"param", true, "the embedding parameter (default: the first 'embedding*.weight')"},
      {"top", true, "words in the plot, the most frequent first (default 100)"},
      {"help", false, "print this help"}};
  Flags flags;
  if (int status = flags.parse(prog, "embeddings", "--weights F --output DIR", specs, argc,
                               argv);
      status >= 0)
    return status;
  std::string weights = flags.get("weights"), dir = flags.get("output");
  if (weights.empty() || dir.empty())
    return error("embeddings needs --weights FILE and --output DIR");
  long long top;
  if (!flags.getInt("top", 100, 2, 100000, top))
    return 1;
  ContextHolder ctx;
  if (!makeContext(m, ctx) || !loadOrInit(ctx.Ctx, weights, 0))
    return 1;
  const char *vocabulary = nnrt_context_metadata(ctx.Ctx, "text.vocabulary");
  if (!vocabulary)
    return error("'%s' holds no vocabulary: embeddings needs the checkpoint of a model "
                 "trained on a text dataset", weights.c_str());
  int32_t index = -1;
  std::string wanted = flags.get("param");
  for (int32_t i = 0; i < m->num_params && index < 0; ++i) {
    std::string name = m->params[i].name;
    bool isDefault = name.rfind("embedding", 0) == 0 && name.size() > 7 &&
                     name.compare(name.size() - 7, 7, ".weight") == 0;
    if (wanted.empty() ? isDefault : name == wanted)
      index = i;
  }
  if (index < 0)
    return error(wanted.empty() ? "the model has no 'embedding*.weight' parameter (--param "
                                  "names another)"
                                : "the model has no parameter '%s'",
                 wanted.c_str());
  const nnrt_param &p = m->params[index];
  if (p.dtype != NNRT_F32 || p.shape.rank != 2)
    return error("parameter '%s' is not an f32 [rows, dim] matrix", p.name);
  nnrt_tensor t;
  if (nnrt_param_view(ctx.Ctx, index, &t) != NNRT_OK)
    return error("%s", nnrt_context_last_error(ctx.Ctx));
  int64_t rows = p.shape.dims[0], dim = p.shape.dims[1];
  const float *e = static_cast<const float *>(t.data);
  std::vector<std::string> words = vocabularyTokens(vocabulary, rows);

  if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
    return error("cannot create the directory '%s': %s", dir.c_str(), std::strerror(errno));
  auto open = [&](const char *name) {
    std::string path = dir + "/" + name;
    FILE *f = std::fopen(path.c_str(), "w");
    if (!f)
      error("cannot write '%s': %s", path.c_str(), std::strerror(errno));
    return f;
  };
  FILE *vectors = open("vectors.tsv"), *meta = vectors ? open("metadata.tsv") : nullptr;
  if (!vectors || !meta) {
    if (vectors)
      std::fclose(vectors);
    return 1;
  }
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < dim; ++c)
      std::fprintf(vectors, c ? "\t%.9g" : "%.9g", double(e[r * dim + c]));
    std::fprintf(vectors, "\n");
    std::fprintf(meta, "%s\n", clean(words[size_t(r)], false).c_str());
  }
  bool ok = std::fclose(vectors) == 0;
  ok &= std::fclose(meta) == 0;

  // PCA of the plotted rows: ids 2 .. 2 + n, the most frequent tokens.
  int64_t n = std::min<int64_t>(top, rows - 2);
  if (n < 2)
    return error("the vocabulary has fewer than 2 tokens to plot");
  std::vector<double> mean(size_t(dim), 0), cov(size_t(dim * dim), 0);
  for (int64_t r = 2; r < 2 + n; ++r)
    for (int64_t c = 0; c < dim; ++c)
      mean[size_t(c)] += e[r * dim + c] / double(n);
  for (int64_t r = 2; r < 2 + n; ++r)
    for (int64_t i = 0; i < dim; ++i)
      for (int64_t j = 0; j < dim; ++j)
        cov[size_t(i * dim + j)] += (e[r * dim + i] - mean[size_t(i)]) *
                                    (e[r * dim + j] - mean[size_t(j)]) / double(n);
  std::vector<double> a = leading(cov, dim);
  double lambda = 0; // deflate: cov -= lambda a a^T
  for (int64_t i = 0; i < dim; ++i)
    for (int64_t j = 0; j < dim; ++j)
      lambda += a[size_t(i)] * cov[size_t(i * dim + j)] * a[size_t(j)];
  for (int64_t i = 0; i < dim; ++i)
    for (int64_t j = 0; j < dim; ++j)
      cov[size_t(i * dim + j)] -= lambda * a[size_t(i)] * a[size_t(j)];
  std::vector<double> b = leading(cov, dim);
  std::vector<double> xs, ys;
  for (int64_t r = 2; r < 2 + n; ++r) {
    double x = 0, y = 0;
    for (int64_t c = 0; c < dim; ++c) {
      x += (e[r * dim + c] - mean[size_t(c)]) * a[size_t(c)];
      y += (e[r * dim + c] - mean[size_t(c)]) * b[size_t(c)];
    }
    xs.push_back(x);
    ys.push_back(y);
  }
  double x0 = xs[0], x1 = xs[0], y0 = ys[0], y1 = ys[0];
  for (size_t k = 0; k < xs.size(); ++k) {
    x0 = std::min(x0, xs[k]), x1 = std::max(x1, xs[k]);
    y0 = std::min(y0, ys[k]), y1 = std::max(y1, ys[k]);
  }
  const double W = 900, H = 700, pad = 40;
  auto px = [&](double x) { return pad + (x1 > x0 ? (x - x0) / (x1 - x0) : 0.5) * (W - 2 * pad); };
  auto py = [&](double y) { return H - pad - (y1 > y0 ? (y - y0) / (y1 - y0) : 0.5) * (H - 2 * pad); };
  FILE *svg = open("pca.svg");
  if (!svg)
    return 1;
  std::fprintf(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
                    "font-family=\"sans-serif\" font-size=\"11\">\n"
                    "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
                    "<text x=\"%g\" y=\"20\" font-size=\"14\">%s: PCA of the %lld most "
                    "frequent tokens</text>\n",
               W, H, pad, clean(p.name, true).c_str(), (long long)n);
  for (size_t k = 0; k < xs.size(); ++k)
    std::fprintf(svg, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#1f77b4\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n",
                 px(xs[k]), py(ys[k]), px(xs[k]) + 4, py(ys[k]) - 3,
                 clean(words[k + 2], true).c_str());
  std::fprintf(svg, "</svg>\n");
  ok &= std::fclose(svg) == 0;
  if (!ok)
    return error("cannot finish writing the files in '%s'", dir.c_str());
  std::printf("wrote %s/vectors.tsv (%lld x %lld), %s/metadata.tsv, %s/pca.svg (%lld "
              "tokens)\n",
              dir.c_str(), (long long)rows, (long long)dim, dir.c_str(), dir.c_str(),
              (long long)n);
  return 0;
}
