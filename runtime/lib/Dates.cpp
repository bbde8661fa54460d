//===- Dates.cpp - the date-translation dataset of seq2seq (W5) ------------===//
//
// Dates written eight ways ("3 march 1997", "03/03/97", "monday, march 3, 1997", ...)
// to translate into ISO 8601 ("1997-03-03"): examples drawn from the seed, so the data
// needs no file and no Python. Characters are token ids of one fixed vocabulary (0
// padding, 1 out of vocabulary, 2.. the characters of kAlphabet); sources are padded at
// the front to the length, targets are the 10 characters of the ISO date. Every tenth
// day of 1950-2049 is held out: the test split draws only those, the training split
// never does, so the test measures dates the model has not seen. docs/runtime.md ("Date
// data") states the rules; scripts/refs/seq2seq.py generates the same examples.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"
#include "SplitMix64.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

using namespace nnrt;

namespace {

/// The characters of the vocabulary: id 2 + i is kAlphabet[i].
constexpr char kAlphabet[] = " ,-./0123456789abcdefghijklmnopqrstuvwxyz";
constexpr int32_t kFormats = 8;
/// Days from 1950-01-01 to 2049-12-31.
constexpr int64_t kFirstDay = -7305; // 1950-01-01, in days since 1970-01-01
constexpr int64_t kDays = 36524;
/// The stream of the test split (xor-ed into the seed).
constexpr uint64_t kTestStream = 0xD1B54A32D192ED03ull;

const char *const kMonths[] = {"january", "february", "march",     "april",
                               "may",     "june",     "july",      "august",
                               "september", "october", "november", "december"};
const char *const kWeekdays[] = {"sunday",   "monday", "tuesday", "wednesday",
                                 "thursday", "friday", "saturday"};

/// Year, month (1-12) and day of `z` days since 1970-01-01 (Hinnant's civil_from_days).
void civil(int64_t z, int &year, int &month, int &day) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  day = int(doy - (153 * mp + 2) / 5 + 1);
  month = int(mp < 10 ? mp + 3 : mp - 9);
  year = int(yoe + era * 400 + (month <= 2));
}

/// Day `d` of the range written in format `f`, and in ISO 8601.
void render(int64_t d, uint64_t f, std::string &source, std::string &iso) {
  int y, m, day;
  int64_t z = kFirstDay + d;
  civil(z, y, m, day);
  const char *month = kMonths[m - 1];
  const char *weekday = kWeekdays[((z % 7) + 11) % 7]; // 1970-01-01 was a thursday
  char buf[64];
  switch (f) {
  case 0: std::snprintf(buf, sizeof buf, "%d %s %d", day, month, y); break;
  case 1: std::snprintf(buf, sizeof buf, "%02d/%02d/%02d", day, m, y % 100); break;
  case 2: std::snprintf(buf, sizeof buf, "%s, %s %d, %d", weekday, month, day, y); break;
  case 3: std::snprintf(buf, sizeof buf, "%s %d, %d", month, day, y); break;
  case 4: std::snprintf(buf, sizeof buf, "%d %.3s %d", day, month, y); break;
  case 5: std::snprintf(buf, sizeof buf, "%02d.%02d.%d", day, m, y); break;
  case 6: std::snprintf(buf, sizeof buf, "%.3s %d %d", month, day, y); break;
  default: std::snprintf(buf, sizeof buf, "%s %d %s %d", weekday, day, month, y); break;
  }
  source = buf;
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, day);
  iso = buf;
}

int32_t idOf(char c) {
  const char *p = std::strchr(kAlphabet, c);
  return c && p ? int32_t(p - kAlphabet) + 2 : 1;
}

} // namespace

extern "C" {

nnrt_status nnrt_dataset_make_dates(int64_t count, int32_t length, uint64_t seed,
                                    const char *split, nnrt_dataset **out, nnrt_error *err) {
  if (!out)
    return fail(err, NNRT_ERR_ARG, "NULL argument");
  *out = nullptr;
  std::string sp = split ? split : "";
  if (sp != "train" && sp != "test")
    return fail(err, NNRT_ERR_ARG, "unknown split '%s' (train or test)", sp.c_str());
  if (count < 1 || count > NNRT_DATES_MAX_COUNT)
    return fail(err, NNRT_ERR_ARG, "dates: count %lld is not in [1, %d]", (long long)count,
                NNRT_DATES_MAX_COUNT);
  if (length < NNRT_DATES_MIN_LENGTH || length > NNRT_TEXT_MAX_LENGTH)
    return fail(err, NNRT_ERR_ARG,
                "dates: length %d is not in [%d, %d] (the longest date has %d characters)",
                length, NNRT_DATES_MIN_LENGTH, NNRT_TEXT_MAX_LENGTH, NNRT_DATES_MIN_LENGTH);
  bool test = sp == "test";
  int64_t n = test ? std::max<int64_t>(count / 10, 1) : count;
  int64_t elems;
  if (!mulElements(n, length, elems))
    return fail(err, NNRT_ERR_ARG, "dates: %lld examples of %d characters are too many",
                (long long)n, length);
  std::unique_ptr<nnrt_dataset> ds(new (std::nothrow) nnrt_dataset);
  if (!ds)
    return fail(err, NNRT_ERR_OOM, "cannot allocate the dataset");
  ds->Count = n;
  ds->ExampleDtype = NNRT_I32;
  ds->ExampleRank = 1;
  ds->ExampleDims[0] = length;
  ds->ExampleName = "tokens";
  ds->TargetName = "target";
  ds->TargetsPerExample = NNRT_DATES_TARGET_LENGTH;
  ds->LabelsPath = "dates (" + sp + " split)";
  for (const char *c = kAlphabet; *c; ++c) {
    char line[8];
    if (*c == ' ')
      std::snprintf(line, sizeof line, "\\x20\n");
    else
      std::snprintf(line, sizeof line, "%c\n", *c);
    ds->Vocabulary += line;
  }
  if (!ds->Images.reserve(size_t(elems) * 4) ||
      !ds->Labels.reserve(size_t(n) * NNRT_DATES_TARGET_LENGTH * 4))
    return fail(err, NNRT_ERR_OOM, "cannot allocate %lld examples", (long long)n);
  auto *src = static_cast<int32_t *>(ds->Images.data());
  auto *tgt = static_cast<int32_t *>(ds->Labels.data());
  SplitMix64 rng(seed ^ (test ? kTestStream : 0));
  std::string source, iso;
  for (int64_t e = 0; e < n; ++e) {
    int64_t d;
    do
      d = int64_t(rng.next() % uint64_t(kDays));
    while ((d % 10 == 7) != test);
    render(d, rng.next() % kFormats, source, iso);
    int32_t *row = src + e * length;
    size_t pad = size_t(length) - source.size();
    std::fill(row, row + pad, 0);
    for (size_t i = 0; i < source.size(); ++i)
      row[pad + i] = idOf(source[i]);
    for (int i = 0; i < NNRT_DATES_TARGET_LENGTH; ++i)
      tgt[e * NNRT_DATES_TARGET_LENGTH + i] = idOf(iso[size_t(i)]);
  }
  *out = ds.release();
  return NNRT_OK;
}

} // extern "C"
