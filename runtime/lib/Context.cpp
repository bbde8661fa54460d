//===- Context.cpp - nnrt_context lifetime, model validation, utilities ---===//
//
// Creates and destroys contexts (parameters are allocated once here), checks the
// compiler-emitted model tables so the executor can trust indices, and holds the small
// shared helpers: error formatting, shapes, aligned buffers and whole-file I/O.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <new>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

using namespace nnrt;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

AlignedBuffer::~AlignedBuffer() { std::free(Data); }

bool AlignedBuffer::reserve(size_t bytes) {
  if (bytes <= Size && Data)
    return true;
  size_t n = alignUp(bytes ? bytes : 1);
  void *p = std::aligned_alloc(kAlign, n);
  if (!p)
    return false;
  countAllocation();
  std::memset(p, 0, n);
  std::free(Data);
  Data = p;
  Size = n;
  return true;
}

std::string nnrt::vformat(const char *fmt, va_list ap) {
  char buf[1024];
  vsnprintf(buf, sizeof(buf), fmt, ap);
  return buf;
}

std::string nnrt::format(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  return s;
}

nnrt_status nnrt::fail(nnrt_context *ctx, nnrt_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ctx->LastError = vformat(fmt, ap);
  va_end(ap);
  return status;
}

nnrt_status nnrt::fail(nnrt_error *err, nnrt_status status, const char *fmt, ...) {
  if (!err)
    return status;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof(err->message), fmt, ap);
  va_end(ap);
  return status;
}

bool nnrt::mulElements(int64_t a, int64_t b, int64_t &out) {
  return !__builtin_mul_overflow(a, b, &out) && out <= NNRT_MAX_ELEMENTS;
}

/// The product of the non-zero dims of `shape` (the static ones when `staticOnly`), or -1
/// when a dim or that product exceeds NNRT_MAX_ELEMENTS. Bounding the non-zero dims bounds
/// every stride of a Halide buffer, even of a tensor with no elements.
static int64_t nonzeroProduct(const nnrt_shape &shape, bool staticOnly) {
  int64_t n = 1;
  for (int32_t i = 0; i < shape.rank; ++i) {
    int64_t d = shape.dims[i];
    if (d < 0 && staticOnly)
      continue;
    if (d < 0 || (d > 0 && !mulElements(n, d, n)))
      return -1;
  }
  return n;
}

std::string nnrt::tooLarge(int32_t dtype, const nnrt_shape &shape) {
  bool empty = false;
  for (int32_t i = 0; i < shape.rank && i < NNRT_MAX_RANK; ++i)
    empty |= shape.dims[i] == 0;
  return format("%s%s %s than %lld, the runtime's limit per tensor (NNRT_MAX_ELEMENTS)",
                dtypeName(dtype), shapeString(shape).c_str(),
                empty ? "has no elements, but the product of its other dims is larger"
                      : "has more elements",
                NNRT_MAX_ELEMENTS);
}

int64_t nnrt::numel(const nnrt_shape &shape) {
  if (shape.rank < 0 || shape.rank > NNRT_MAX_RANK || nonzeroProduct(shape, false) < 0)
    return -1;
  for (int32_t i = 0; i < shape.rank; ++i)
    if (shape.dims[i] == 0)
      return 0;
  return nonzeroProduct(shape, false);
}

const char *nnrt::dtypeName(int32_t dtype) {
  switch (dtype) {
  case NNRT_F32:
    return "f32";
  case NNRT_I32:
    return "i32";
  }
  return "?";
}

std::string nnrt::shapeString(const nnrt_shape &shape, const nnrt_model *model) {
  std::string s = "[";
  for (int32_t i = 0; i < shape.rank; ++i) {
    if (i)
      s += ", ";
    int64_t d = shape.dims[i];
    if (d >= 0) {
      s += std::to_string(d);
      continue;
    }
    int64_t k = -(d + 1);
    if (model && k < model->num_symbols)
      s += model->symbols[k];
    else
      s += "?" + std::to_string(k);
  }
  return s + "]";
}

ByteArray::~ByteArray() { std::free(Data); }

bool ByteArray::append(const void *bytes, size_t n) {
  if (n == 0)
    return true;
  if (n > SIZE_MAX - Size)
    return false;
  size_t need = Size + n;
  if (need > Capacity) {
    size_t cap = Capacity ? Capacity : 4096;
    while (cap < need)
      cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    void *p = std::realloc(Data, cap);
    if (!p)
      return false;
    Data = static_cast<uint8_t *>(p);
    Capacity = cap;
  }
  std::memcpy(Data + Size, bytes, n);
  Size = need;
  return true;
}

void ByteArray::swap(ByteArray &o) {
  std::swap(Data, o.Data);
  std::swap(Size, o.Size);
  std::swap(Capacity, o.Capacity);
}

nnrt_status nnrt::readFile(const std::string &path, ByteArray &out, size_t maxBytes,
                           std::string &error) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = format("cannot open '%s': %s", path.c_str(), std::strerror(errno));
    return NNRT_ERR_IO;
  }
  out.clear();
  uint8_t chunk[1 << 16];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof(chunk), f)) > 0) {
    if (n > maxBytes - out.size()) {
      std::fclose(f);
      error = format("'%s' is larger than %zu bytes", path.c_str(), maxBytes);
      return NNRT_ERR_FORMAT;
    }
    if (!out.append(chunk, n)) {
      std::fclose(f);
      error = format("cannot allocate memory to read '%s' (%zu bytes read)", path.c_str(),
                     out.size());
      return NNRT_ERR_OOM;
    }
  }
  bool bad = std::ferror(f);
  int saved = errno;
  std::fclose(f);
  if (bad) {
    error = format("cannot read '%s': %s", path.c_str(), std::strerror(saved));
    return NNRT_ERR_IO;
  }
  return NNRT_OK;
}

nnrt_status nnrt::gunzipInPlace(const std::string &name, ByteArray &bytes, size_t maxBytes,
                                std::string &error) {
  if (bytes.size() < 2 || bytes.data()[0] != 0x1f || bytes.data()[1] != 0x8b)
    return NNRT_OK;
  if (bytes.size() > UINT32_MAX) {
    error = format("'%s': compressed data larger than 4 GiB", name.c_str());
    return NNRT_ERR_FORMAT;
  }
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) { // 16: gzip wrapper only
    error = format("cannot decompress '%s': zlib failed to start", name.c_str());
    return NNRT_ERR_OOM;
  }
  struct Ender {
    z_stream *Z;
    ~Ender() { inflateEnd(Z); }
  } ender{&zs};
  zs.next_in = const_cast<Bytef *>(bytes.data());
  zs.avail_in = uInt(bytes.size());
  ByteArray out;
  uint8_t chunk[1 << 16];
  for (;;) {
    zs.next_out = chunk;
    zs.avail_out = sizeof(chunk);
    int rc = inflate(&zs, Z_NO_FLUSH);
    size_t produced = sizeof(chunk) - zs.avail_out;
    if (produced > maxBytes - out.size()) {
      error = format("'%s' decompresses to more than %zu bytes", name.c_str(), maxBytes);
      return NNRT_ERR_FORMAT;
    }
    if (!out.append(chunk, produced)) {
      error = format("cannot allocate memory to decompress '%s' (%zu bytes so far)",
                     name.c_str(), out.size());
      return NNRT_ERR_OOM;
    }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0)
        break;
      // Another gzip member follows (as `cat a.gz b.gz` makes), else trailing garbage.
      if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b &&
          inflateReset(&zs) == Z_OK)
        continue;
      error = format("cannot read '%s': %u bytes of trailing garbage after the gzip data",
                     name.c_str(), zs.avail_in);
      return NNRT_ERR_FORMAT;
    }
    if (rc == Z_BUF_ERROR) { // no progress with room to write: the input ran out
      error = format("cannot read '%s': truncated gzip data", name.c_str());
      return NNRT_ERR_FORMAT;
    }
    if (rc != Z_OK) {
      error = format("cannot read '%s': %s", name.c_str(),
                     zs.msg ? zs.msg : "corrupt gzip data");
      return rc == Z_MEM_ERROR ? NNRT_ERR_OOM : NNRT_ERR_FORMAT;
    }
  }
  bytes.swap(out);
  return NNRT_OK;
}

/// "a directory", "a character device", ... for a file that is not regular.
static const char *fileKind(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISSOCK(mode))
    return "a socket";
  return "not a regular file";
}

/// The file an atomic write must replace: `path` itself, or the regular file a symbolic
/// link at `path` points to. Anything that is not a regular file is refused (renaming
/// over it would replace a device node, a directory entry or a FIFO).
static nnrt_status writeTarget(const std::string &path, std::string &target,
                               std::string &error) {
  struct stat sb;
  target = path;
  if (lstat(path.c_str(), &sb) != 0) {
    if (errno == ENOENT)
      return NNRT_OK;
    error = format("cannot write '%s': %s", path.c_str(), std::strerror(errno));
    return NNRT_ERR_IO;
  }
  if (S_ISLNK(sb.st_mode)) {
    char *real = realpath(path.c_str(), nullptr);
    if (!real) {
      error = format("cannot write '%s': it is a symbolic link to a missing file",
                     path.c_str());
      return NNRT_ERR_IO;
    }
    target = real;
    std::free(real);
    if (stat(target.c_str(), &sb) != 0) {
      error = format("cannot write '%s': %s", path.c_str(), std::strerror(errno));
      return NNRT_ERR_IO;
    }
  }
  if (!S_ISREG(sb.st_mode)) {
    error = format("cannot write '%s': it is %s, not a regular file (refusing to replace it)",
                   path.c_str(), fileKind(sb.st_mode));
    return NNRT_ERR_IO;
  }
  return NNRT_OK;
}

/// Removes `<path>.tmp.<pid>` files whose writer is no longer alive (see
/// nnrt_remove_stale_temporaries).
static nnrt_status removeStale(const std::string &path, int32_t &removed, std::string &error) {
  removed = 0;
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (dir.empty())
    dir = "/";
  if (base.empty())
    return NNRT_OK;
  DIR *d = opendir(dir.c_str());
  if (!d) {
    error = format("cannot list '%s': %s", dir.c_str(), std::strerror(errno));
    return NNRT_ERR_IO;
  }
  std::string prefix = base + ".tmp.";
  while (const dirent *ent = readdir(d)) {
    const char *name = ent->d_name;
    if (std::strncmp(name, prefix.c_str(), prefix.size()) != 0)
      continue;
    const char *digits = name + prefix.size();
    size_t len = std::strlen(digits);
    if (len == 0 || len > 9 || std::strspn(digits, "0123456789") != len)
      continue;
    long pid = std::strtol(digits, nullptr, 10);
    if (pid <= 0 || pid == long(getpid()))
      continue;
    // kill(pid, 0) fails with ESRCH only when no such process exists (EPERM: it lives).
    if (kill(pid_t(pid), 0) == 0 || errno != ESRCH)
      continue;
    std::string file = dir + "/" + name;
    struct stat sb;
    if (lstat(file.c_str(), &sb) == 0 && S_ISREG(sb.st_mode) && unlink(file.c_str()) == 0)
      ++removed;
  }
  closedir(d);
  return NNRT_OK;
}

nnrt_status nnrt::writeFileAtomic(const std::string &path, const std::string &head,
                                  const Chunks &chunks, std::string &error) {
  std::string target;
  if (nnrt_status s = writeTarget(path, target, error); s != NNRT_OK)
    return s;
  int32_t removed;
  std::string ignored; // best effort: a missing directory fails below with its own message
  removeStale(target, removed, ignored);
  std::string tmp = target + ".tmp." + std::to_string(getpid());
  FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f) {
    error = format("cannot create '%s': %s", tmp.c_str(), std::strerror(errno));
    return NNRT_ERR_IO;
  }
  bool ok = std::fwrite(head.data(), 1, head.size(), f) == head.size();
  // Test hook: die by SIGKILL halfway through the write, as a crash or `kill -9`
  // would, to show that the previous file at `path` survives (test/runtime).
  bool killMidway = std::getenv("NNRT_TEST_KILL_DURING_SAVE") != nullptr;
  for (auto &c : chunks) {
    ok = ok && std::fwrite(c.first, 1, c.second, f) == c.second;
    if (killMidway) {
      std::fflush(f);
      raise(SIGKILL);
    }
  }
  ok = ok && std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  int saved = errno;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    error = format("cannot write '%s': %s", tmp.c_str(), std::strerror(saved));
    return NNRT_ERR_IO;
  }
  if (std::rename(tmp.c_str(), target.c_str()) != 0) {
    saved = errno;
    std::remove(tmp.c_str());
    error = format("cannot rename '%s' to '%s': %s", tmp.c_str(), target.c_str(),
                   std::strerror(saved));
    return NNRT_ERR_IO;
  }
  // Make the rename itself durable.
  std::string dir =
      target.find('/') == std::string::npos ? "." : target.substr(0, target.rfind('/'));
  if (dir.empty())
    dir = "/";
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  return NNRT_OK;
}

//===----------------------------------------------------------------------===//
// Model validation
//===----------------------------------------------------------------------===//

/// Why `s` is not a valid declared shape ("" when it is): rank in range, symbols known
/// (and allowed), and the static dims within NNRT_MAX_ELEMENTS.
static std::string shapeProblem(int32_t dtype, const nnrt_shape &s, int32_t numSymbols,
                                bool allowSymbols) {
  if (s.rank < 0 || s.rank > NNRT_MAX_RANK)
    return format("rank %d is outside [0, %d]", s.rank, NNRT_MAX_RANK);
  for (int32_t i = 0; i < s.rank; ++i) {
    int64_t d = s.dims[i];
    if (d < 0 && !allowSymbols)
      return format("dim %d is symbolic (%lld), which is not allowed here", i, (long long)d);
    if (d < 0 && -(d + 1) >= numSymbols)
      return format("dim %d names symbol %lld, the model has %d", i, (long long)-(d + 1),
                    numSymbols);
  }
  return nonzeroProduct(s, true) >= 0 ? "" : tooLarge(dtype, s);
}

static bool validDtype(int32_t d) { return d == NNRT_F32 || d == NNRT_I32; }

/// Checks the memory plan: two TEMP slots of one buffer are never live at the same step.
/// A slot lives from the first to the last step that passes it or an alias of it (both
/// inclusive; a slot an update reads lives to the end). Indices are already checked.
static std::string validatePlan(const nnrt_entry &e) {
  const char *n = e.name;
  int32_t ns = e.num_slots;
  std::vector<int32_t> root(ns), first(ns, -1), last(ns, -1);
  for (int32_t s = 0; s < ns; ++s) {
    int32_t r = s;
    for (int32_t hops = 0; e.slots[r].kind == NNRT_SLOT_ALIAS && hops <= ns; ++hops)
      r = e.slots[r].index;
    if (e.slots[r].kind == NNRT_SLOT_ALIAS)
      return format("entry '%s': slot %d is in an alias cycle", n, s);
    root[s] = r;
  }
  auto touch = [&](int32_t slot, int32_t step) {
    int32_t r = root[slot];
    if (first[r] < 0)
      first[r] = step;
    last[r] = std::max(last[r], step);
  };
  for (int32_t i = 0; i < e.num_steps; ++i)
    for (int32_t a = 0; a < e.steps[i].num_args; ++a)
      touch(e.steps[i].args[a], i);
  for (int32_t u = 0; u < e.num_updates; ++u)
    touch(e.updates[2 * u + 1], e.num_steps);
  std::vector<int32_t> temps;
  for (int32_t s = 0; s < ns; ++s)
    if (e.slots[s].kind == NNRT_SLOT_TEMP && first[s] >= 0)
      temps.push_back(s);
  std::sort(temps.begin(), temps.end(), [&](int32_t a, int32_t b) {
    return e.slots[a].index != e.slots[b].index ? e.slots[a].index < e.slots[b].index
                                                : first[a] < first[b];
  });
  // Within one buffer (sorted by first step), each slot must start after every earlier
  // slot of the buffer has ended; `owner` is the earlier slot that lives longest.
  for (size_t i = 1, owner = 0; i < temps.size(); ++i) {
    int32_t a = temps[owner], b = temps[i];
    if (e.slots[a].index != e.slots[b].index) {
      owner = i;
      continue;
    }
    if (first[b] <= last[a])
      return format("entry '%s': slots %d and %d share buffer %d but are both live at "
                    "step %d", n, a, b, e.slots[a].index, first[b]);
    if (last[b] > last[a])
      owner = i;
  }
  return "";
}

/// Checks one entry's tables: every index in range, and a sound memory plan.
static std::string validateEntry(const nnrt_model *m, const nnrt_entry &e) {
  const char *n = e.name ? e.name : "?";
  if (!e.name || e.num_slots < 0 || (e.num_slots && !e.slots) || e.num_buffers < 0)
    return format("entry '%s': bad slot table", n);
  if (e.num_inputs < 0 || (e.num_inputs && !e.inputs) || e.num_outputs < 0 ||
      (e.num_outputs && (!e.output_names || !e.output_slots)) || e.num_steps < 0 ||
      (e.num_steps && !e.steps) || e.num_updates < 0 || (e.num_updates && !e.updates))
    return format("entry '%s': bad table sizes", n);
  for (int32_t i = 0; i < e.num_inputs; ++i) {
    if (e.inputs[i] < 0 || e.inputs[i] >= m->num_inputs)
      return format("entry '%s': input %d out of range", n, i);
    for (int32_t j = 0; j < i; ++j)
      if (e.inputs[j] == e.inputs[i])
        return format("entry '%s': input %d appears twice", n, e.inputs[i]);
  }
  for (int32_t s = 0; s < e.num_slots; ++s) {
    const nnrt_slot &sl = e.slots[s];
    if (!validDtype(sl.dtype))
      return format("entry '%s': slot %d has a bad dtype", n, s);
    if (std::string why = shapeProblem(sl.dtype, sl.shape, m->num_symbols, true);
        !why.empty())
      return format("entry '%s': slot %d: %s", n, s, why.c_str());
    bool ok = true;
    switch (sl.kind) {
    case NNRT_SLOT_INPUT: {
      ok = false;
      for (int32_t i = 0; i < e.num_inputs; ++i)
        ok |= e.inputs[i] == sl.index;
      break;
    }
    case NNRT_SLOT_PARAM:
      ok = sl.index >= 0 && sl.index < m->num_params;
      break;
    case NNRT_SLOT_TEMP:
      ok = sl.index >= 0 && sl.index < e.num_buffers;
      break;
    case NNRT_SLOT_OUTPUT:
      ok = sl.index >= 0 && sl.index < e.num_outputs;
      break;
    case NNRT_SLOT_ALIAS:
      ok = sl.index >= 0 && sl.index < e.num_slots && sl.index != s;
      break;
    default:
      ok = false;
    }
    if (!ok)
      return format("entry '%s': slot %d has a bad kind or index", n, s);
  }
  for (int32_t o = 0; o < e.num_outputs; ++o)
    if (!e.output_names || !e.output_names[o] || e.output_slots[o] < 0 ||
        e.output_slots[o] >= e.num_slots)
      return format("entry '%s': output %d out of range", n, o);
  for (int32_t st = 0; st < e.num_steps; ++st) {
    const nnrt_step &step = e.steps[st];
    if (!step.fn || step.num_args < 0 || (step.num_args && !step.args))
      return format("entry '%s': step %d is malformed", n, st);
    for (int32_t a = 0; a < step.num_args; ++a)
      if (step.args[a] < 0 || step.args[a] >= e.num_slots)
        return format("entry '%s': step %d argument %d out of range", n, st, a);
  }
  for (int32_t u = 0; u < e.num_updates; ++u) {
    int32_t p = e.updates[2 * u], s = e.updates[2 * u + 1];
    if (p < 0 || p >= m->num_params || s < 0 || s >= e.num_slots)
      return format("entry '%s': update %d out of range", n, u);
  }
  return validatePlan(e);
}

static std::string validateModel(const nnrt_model *m) {
  if (m->abi_version != NNRT_MODEL_ABI_VERSION)
    return format("model ABI version %d, runtime expects %d", m->abi_version,
                  NNRT_MODEL_ABI_VERSION);
  if (m->num_symbols < 0 || m->num_inputs < 0 || m->num_params < 0 || m->num_entries < 0)
    return "negative table size in model";
  if ((m->num_symbols && !m->symbols) || (m->num_inputs && !m->inputs) ||
      (m->num_params && !m->params) || (m->num_entries && !m->entries))
    return "NULL table in model";
  for (int32_t i = 0; i < m->num_symbols; ++i)
    if (!m->symbols[i])
      return format("model symbol %d has no name", i);
  for (int32_t i = 0; i < m->num_inputs; ++i) {
    const nnrt_input &in = m->inputs[i];
    if (!in.name || !validDtype(in.dtype))
      return format("model input %d is malformed", i);
    if (std::string why = shapeProblem(in.dtype, in.shape, m->num_symbols, true);
        !why.empty())
      return format("input '%s': %s", in.name, why.c_str());
  }
  for (int32_t i = 0; i < m->num_params; ++i) {
    const nnrt_param &p = m->params[i];
    if (!p.name || !validDtype(p.dtype))
      return format("model param %d is malformed", i);
    if (std::string why = shapeProblem(p.dtype, p.shape, 0, false); !why.empty())
      return format("param '%s': %s", p.name, why.c_str());
  }
  for (int32_t i = 0; i < m->num_entries; ++i) {
    std::string e = validateEntry(m, m->entries[i]);
    if (!e.empty())
      return e;
  }
  return "";
}

//===----------------------------------------------------------------------===//
// C API
//===----------------------------------------------------------------------===//

extern "C" {

const char *nnrt_status_string(nnrt_status status) {
  switch (status) {
  case NNRT_OK:
    return "ok";
  case NNRT_ERR_IO:
    return "io error";
  case NNRT_ERR_FORMAT:
    return "format error";
  case NNRT_ERR_SHAPE:
    return "shape error";
  case NNRT_ERR_KERNEL:
    return "kernel error";
  case NNRT_ERR_ARG:
    return "invalid argument";
  case NNRT_ERR_OOM:
    return "out of memory";
  case NNRT_ERR_NOT_FOUND:
    return "not found";
  }
  return "unknown status";
}

int64_t nnrt_shape_numel(const nnrt_shape *shape) { return shape ? numel(*shape) : -1; }

nnrt_status nnrt_model_validate(const nnrt_model *model, nnrt_error *err) {
  if (!model)
    return fail(err, NNRT_ERR_ARG, "model is NULL");
  std::string bad = validateModel(model);
  return bad.empty() ? NNRT_OK : fail(err, NNRT_ERR_FORMAT, "%s", bad.c_str());
}

nnrt_status nnrt_remove_stale_temporaries(const char *path, int32_t *removed,
                                          nnrt_error *err) {
  if (!path)
    return fail(err, NNRT_ERR_ARG, "path is NULL");
  int32_t n = 0;
  std::string error;
  nnrt_status s = removeStale(path, n, error);
  if (removed)
    *removed = n;
  return s == NNRT_OK ? s : fail(err, s, "%s", error.c_str());
}

void nnrt_free(void *ptr) { std::free(ptr); }

nnrt_status nnrt_context_create(const nnrt_model *model, nnrt_context **out, nnrt_error *err) {
  if (!out)
    return fail(err, NNRT_ERR_ARG, "out is NULL");
  *out = nullptr;
  if (!model)
    return fail(err, NNRT_ERR_ARG, "model is NULL");
  std::string bad = validateModel(model);
  if (!bad.empty())
    return fail(err, NNRT_ERR_FORMAT, "%s", bad.c_str());
  auto *ctx = new (std::nothrow) nnrt_context;
  if (!ctx)
    return fail(err, NNRT_ERR_OOM, "cannot allocate a context");
  ctx->Model = model;
  ctx->Params.resize(model->num_params);
  for (int32_t i = 0; i < model->num_params; ++i) {
    size_t bytes = size_t(numel(model->params[i].shape)) * 4; // validated: no overflow
    if (!ctx->Params[i].reserve(bytes)) {
      delete ctx;
      return fail(err, NNRT_ERR_OOM, "cannot allocate %zu bytes for parameter '%s'", bytes,
                  model->params[i].name);
    }
  }
  ctx->Entries.resize(model->num_entries);
  for (int32_t i = 0; i < model->num_entries; ++i)
    ctx->Entries[i].Entry = &model->entries[i];
  ctx->Symbols.assign(model->num_symbols, -1);
  *out = ctx;
  return NNRT_OK;
}

void nnrt_context_destroy(nnrt_context *ctx) { delete ctx; }

const char *nnrt_context_last_error(const nnrt_context *ctx) {
  return ctx ? ctx->LastError.c_str() : "context is NULL";
}

const nnrt_model *nnrt_context_model(const nnrt_context *ctx) { return ctx->Model; }

nnrt_status nnrt_param_view(nnrt_context *ctx, int32_t index, nnrt_tensor *out) {
  if (!out || index < 0 || index >= ctx->Model->num_params)
    return fail(ctx, NNRT_ERR_ARG, "parameter index %d out of range", index);
  const nnrt_param &p = ctx->Model->params[index];
  out->dtype = p.dtype;
  out->shape = p.shape;
  out->data = ctx->Params[index].data();
  return NNRT_OK;
}

size_t nnrt_context_arena_bytes(const nnrt_context *ctx) { return ctx->Arena.size(); }

const nnrt_entry *nnrt_find_entry(const nnrt_model *model, const char *name) {
  if (!model || !name)
    return nullptr;
  for (int32_t i = 0; i < model->num_entries; ++i)
    if (std::strcmp(model->entries[i].name, name) == 0)
      return &model->entries[i];
  return nullptr;
}

} // extern "C"
