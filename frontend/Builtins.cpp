//===- Builtins.cpp - Builtin function descriptions -----------------------===//
//
// Parses the signature strings of Builtins.def once, on first use.
//
//===----------------------------------------------------------------------===//

#include "frontend/Builtins.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/ErrorHandling.h"

using namespace nnc;

static ArgKind parseArgKind(char c) {
  switch (c) {
  case 'T': return ArgKind::FloatTensor;
  case 'Z': return ArgKind::IntTensor;
  case 'I': return ArgKind::IntLiteral;
  case 'P': return ArgKind::PosLiteral;
  case 'N': case 'R': case 'U': case 'F': return ArgKind::NumLiteral;
  case 'S': return ArgKind::StrLiteral;
  case 'B': return ArgKind::BoolLiteral;
  case 'D': return ArgKind::IntList;
  case 'K': return ArgKind::IntOrList;
  }
  llvm_unreachable("bad argument kind in Builtins.def");
}

static NumRange parseNumRange(char c) {
  switch (c) {
  case 'R': return NumRange::NonNegative;
  case 'U': return NumRange::Unit;
  case 'F': return NumRange::Flag;
  default: return NumRange::Any;
  }
}

/// Parses "x:T alpha:N=0.2 | name:S?" into parameters.
static std::vector<BuiltinParam> parseSignature(llvm::StringRef sig) {
  std::vector<BuiltinParam> params;
  llvm::SmallVector<llvm::StringRef, 8> words;
  sig.split(words, ' ', -1, /*KeepEmpty=*/false);
  bool keywordOnly = false;
  for (llvm::StringRef word : words) {
    if (word == "|") {
      keywordOnly = true;
      continue;
    }
    auto [name, rest] = word.split(':');
    BuiltinParam param;
    param.name = name.str();
    param.kind = parseArgKind(rest.front());
    param.range = parseNumRange(rest.front());
    param.keywordOnly = keywordOnly;
    param.required = rest.size() == 1;
    if (rest.size() > 1 && rest[1] == '=')
      param.defaultValue = rest.drop_front(2).str();
    params.push_back(std::move(param));
  }
  return params;
}

static std::vector<BuiltinInfo> buildTable() {
  std::vector<BuiltinInfo> table;
#define OP_BUILTIN(Id, Name, Category, Flags, Op, Signature)                  \
  table.push_back(BuiltinInfo{BuiltinId::Id, Name, BuiltinCategory::Category,  \
                              Flags, parseSignature(Signature), Op});
#define BUILTIN(Id, Name, Category, Flags, Signature)                          \
  OP_BUILTIN(Id, Name, Category, Flags, "", Signature)
#include "frontend/Builtins.def"
  return table;
}

llvm::ArrayRef<BuiltinInfo> nnc::getAllBuiltins() {
  static const std::vector<BuiltinInfo> table = buildTable();
  return table;
}

const BuiltinInfo &nnc::getBuiltinInfo(BuiltinId id) {
  return getAllBuiltins()[static_cast<unsigned>(id)];
}

const BuiltinInfo *nnc::lookupBuiltin(llvm::StringRef name) {
  for (const BuiltinInfo &info : getAllBuiltins())
    if (info.name == name)
      return &info;
  return nullptr;
}

llvm::StringRef nnc::getCategoryName(BuiltinCategory category) {
  switch (category) {
  case BuiltinCategory::Elementwise: return "elementwise function";
  case BuiltinCategory::Softmax: return "normalization";
  case BuiltinCategory::Reduction: return "reduction";
  case BuiltinCategory::Shape: return "shape function";
  case BuiltinCategory::Linalg: return "linear algebra function";
  case BuiltinCategory::Misc: return "builtin";
  case BuiltinCategory::Noise: return "noise source";
  case BuiltinCategory::Layer: return "layer";
  case BuiltinCategory::Loss: return "loss";
  case BuiltinCategory::Optimizer: return "optimizer";
  case BuiltinCategory::Initializer: return "initializer";
  }
  return "builtin";
}

unsigned BuiltinInfo::getNumPositional() const {
  unsigned n = 0;
  for (const BuiltinParam &p : params)
    if (!p.keywordOnly)
      ++n;
  return n;
}

unsigned BuiltinInfo::getNumRequired() const {
  unsigned n = 0;
  for (const BuiltinParam &p : params)
    if (p.required)
      ++n;
  return n;
}

std::optional<unsigned> BuiltinInfo::lookupParam(llvm::StringRef name) const {
  for (unsigned i = 0, e = params.size(); i != e; ++i)
    if (params[i].name == name)
      return i;
  return std::nullopt;
}
