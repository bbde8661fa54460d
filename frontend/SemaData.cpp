//===- SemaData.cpp - checks of the train statement's `data` clause ------===//
//
// `data fortunes(categories = "a b", vocab = 10000, length = 100, tokens = "words")` and
// `data fortunes_lm(...)` and `data dates(count = 20000, length = 32)`: the options the
// runtime's text datasets read (runtime/driver/Flags.cpp), each checked here with a
// located error, and the model's `tokens` (and `dates`' `target`) input against the
// sequence length. `fashion_mnist` takes no options.
//
//===----------------------------------------------------------------------===//
#include "frontend/Sema.h"

#include "llvm/ADT/StringSet.h"

using namespace nnc;
using namespace nnc::ast;
using llvm::StringRef;

namespace {

/// The default sequence length of a text data set (the runtime's, Flags.cpp).
constexpr int64_t kDefaultLength = 100;

/// One option a text data set takes, with its bounds when it is an integer.
struct OptionSpec {
  StringRef key;
  DataOption::Kind kind;
  int64_t lo, hi;
};

constexpr OptionSpec kTextOptions[] = {
    {"categories", DataOption::Kind::String, 0, 0},
    {"vocab", DataOption::Kind::Int, 3, int64_t(1) << 24},
    {"length", DataOption::Kind::Int, 1, int64_t(1) << 20},
    {"tokens", DataOption::Kind::String, 0, 0},
};

/// `data dates(count = N, length = S)` (runtime/lib/Dates.cpp: NNRT_DATES_*): the longest
/// source has 29 characters, targets have 10.
constexpr int64_t kDatesMinLength = 29, kDatesDefaultLength = 32, kDatesTargetLength = 10;
constexpr OptionSpec kDatesOptions[] = {
    {"count", DataOption::Kind::Int, 1, int64_t(1) << 24},
    {"length", DataOption::Kind::Int, kDatesMinLength, int64_t(1) << 20},
};

StringRef kindName(DataOption::Kind kind) {
  return kind == DataOption::Kind::String ? "a string"
         : kind == DataOption::Kind::Int  ? "an integer"
                                          : "an identifier";
}

} // namespace

void Sema::checkDataOptions(const TrainStmt &train, const ModelDecl &model) {
  StringRef name = train.data.value;
  bool dates = name == "dates";
  if (train.dataOptions.empty() && name != "fortunes" && name != "fortunes_lm" && !dates)
    return;
  if (name != "fortunes" && name != "fortunes_lm" && !dates) {
    if (!name.empty())
      diags.error(train.dataOptions.front().keyLoc,
                  "data set '" + name + "' takes no options");
    return;
  }
  llvm::ArrayRef<OptionSpec> specs = dates ? llvm::ArrayRef<OptionSpec>(kDatesOptions)
                                           : llvm::ArrayRef<OptionSpec>(kTextOptions);
  llvm::StringMap<llvm::SMLoc> seen;
  int64_t length = dates ? kDatesDefaultLength : kDefaultLength;
  llvm::SMLoc lengthLoc = train.data.loc;
  for (const DataOption &o : train.dataOptions) {
    auto [it, inserted] = seen.try_emplace(o.key, o.keyLoc);
    if (!inserted) {
      diags.error(o.keyLoc, "duplicate data option '" + o.key + "'");
      diags.note(it->second, "previous '" + o.key + "' is here");
      continue;
    }
    const OptionSpec *spec = nullptr;
    for (const OptionSpec &s : specs)
      if (s.key == o.key)
        spec = &s;
    if (!spec) {
      diags.error(o.keyLoc, "unknown option '" + o.key + "' of data set '" + name +
                                (dates ? "'; expected count or length"
                                       : "'; expected categories, vocab, length or tokens"));
      continue;
    }
    if (o.kind != spec->kind) {
      diags.error(o.valueLoc, "option '" + o.key + "' of data set '" + name + "' takes " +
                                  kindName(spec->kind) + ", found " + kindName(o.kind) +
                                  " '" + o.value + "'");
      continue;
    }
    if (spec->kind == DataOption::Kind::Int) {
      int64_t v = 0;
      if (StringRef(o.value).getAsInteger(10, v) || v < spec->lo || v > spec->hi) {
        diags.error(o.valueLoc, "option '" + o.key + "' must be in [" +
                                    llvm::Twine(spec->lo) + ", " + llvm::Twine(spec->hi) +
                                    "], found '" + o.value + "'");
        continue;
      }
      if (o.key == "length") {
        length = v;
        lengthLoc = o.valueLoc;
      }
    } else if (o.key == "tokens" && o.value != "words" && o.value != "chars") {
      diags.error(o.valueLoc, "option 'tokens' must be \"words\" or \"chars\", found \"" +
                                  o.value + "\"");
    } else if (o.key == "categories") {
      llvm::SmallVector<StringRef> names;
      StringRef(o.value).split(names, ' ', -1, /*KeepEmpty=*/false);
      llvm::StringSet<> unique;
      for (StringRef n : names)
        if (!unique.insert(n).second)
          diags.error(o.valueLoc, "category '" + n + "' is named twice");
      if (name == "fortunes" && names.size() < 2)
        diags.error(o.valueLoc, "data set 'fortunes' classifies entries by category: it "
                                "needs at least two categories, found " +
                                    llvm::Twine(names.size()));
      else if (names.empty())
        diags.error(o.valueLoc, "option 'categories' names no category (omit it to read "
                                "every category)");
    }
  }
  // The runtime feeds `tokens` i32[B, S] (and `next` i32[B, S]) with S = the length: a
  // static S must be it (a symbolic one takes any, and `--length` changes it). `dates`
  // feeds `target` i32[B, 10].
  StringRef targetName = dates ? "target" : "next";
  for (const auto &stmt : model.getBody()) {
    const auto *input = llvm::dyn_cast<InputStmt>(stmt.get());
    if (!input || (input->getName() != "tokens" && input->getName() != targetName))
      continue;
    bool datesTarget = dates && input->getName() == targetName;
    int64_t want = datesTarget ? kDatesTargetLength : length;
    llvm::SMLoc wantLoc = datesTarget ? input->getNameLoc() : lengthLoc;
    const TensorType &type = input->getType();
    if (type.dtype != DType::I32 || type.dims.size() != 2) {
      diags.error(input->getNameLoc(), "data set '" + name + "' feeds input '" +
                                           input->getName() + "' as i32[B, S]");
      continue;
    }
    const Dim &s = type.dims[1];
    if (!s.isSymbolic() && s.size != want) {
      diags.error(wantLoc, llvm::Twine(datesTarget ? "data set 'dates' has targets of length "
                                                   : "the sequence length is ") +
                               llvm::Twine(want) + ", but input '" + input->getName() +
                               "' has length " + llvm::Twine(s.size));
      diags.note(s.loc, "declared here (a symbolic dim such as 'S' takes any length)");
    }
  }
}
