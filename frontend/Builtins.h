//===- Builtins.h - Builtin function descriptions ---------------*- C++ -*-===//
//
// Typed access to Builtins.def: the builtin ids, categories and parsed
// signatures.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_BUILTINS_H
#define NNC_FRONTEND_BUILTINS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace nnc {

/// One id per row of Builtins.def.
enum class BuiltinId {
#define BUILTIN(Id, Name, Category, Flags, Signature) Id,
#include "frontend/Builtins.def"
};

enum class BuiltinCategory {
  Elementwise,
  Softmax,
  Reduction,
  Shape,
  Linalg,
  Misc,
  Noise,
  Layer,
  Loss,
  Optimizer,
  Initializer,
};

/// Flags of a builtin (bit mask).
enum BuiltinFlags : unsigned {
  IntResult = 1,
  NotImplemented = 2,
};

/// What an argument must be; see Builtins.def.
enum class ArgKind {
  FloatTensor, ///< T
  IntTensor,   ///< Z
  IntLiteral,  ///< I
  PosLiteral,  ///< P
  NumLiteral,  ///< N
  StrLiteral,  ///< S
  BoolLiteral, ///< B
  IntList,     ///< D
  IntOrList,   ///< K
};

/// The values a number literal parameter takes; see Builtins.def.
enum class NumRange {
  Any,         ///< N
  NonNegative, ///< R: 0 or more
  Unit,        ///< U: in [0, 1)
  Flag,        ///< F: 0 or 1
};

/// One parameter of a builtin signature.
struct BuiltinParam {
  std::string name;
  ArgKind kind;
  NumRange range = NumRange::Any; ///< for NumLiteral
  bool required;          ///< No default and not marked optional.
  bool keywordOnly;       ///< After `|` in the signature.
  std::string defaultValue; ///< Source spelling of the default; may be empty.
};

/// A builtin with its parsed signature.
struct BuiltinInfo {
  BuiltinId id;
  llvm::StringRef name;
  BuiltinCategory category;
  unsigned flags;
  std::vector<BuiltinParam> params;
  /// The nn op this builtin is (e.g. "nn.relu"), or empty for a composite builtin
  /// that MLIRGen expands itself.
  llvm::StringRef op;

  bool isLayer() const { return category == BuiltinCategory::Layer; }
  bool hasIntResult() const { return flags & IntResult; }
  bool isImplemented() const { return !(flags & NotImplemented); }
  /// Number of parameters that may be passed positionally.
  unsigned getNumPositional() const;
  /// Number of required parameters.
  unsigned getNumRequired() const;
  /// Returns the index of the parameter called `name`, if any.
  std::optional<unsigned> lookupParam(llvm::StringRef name) const;
};

/// Returns the description of a builtin.
const BuiltinInfo &getBuiltinInfo(BuiltinId id);

/// Returns all builtins in table order.
llvm::ArrayRef<BuiltinInfo> getAllBuiltins();

/// Looks a builtin up by name.
const BuiltinInfo *lookupBuiltin(llvm::StringRef name);

/// Returns the lowercase name of a category ("layer", "optimizer", ...).
llvm::StringRef getCategoryName(BuiltinCategory category);

} // namespace nnc

#endif // NNC_FRONTEND_BUILTINS_H
