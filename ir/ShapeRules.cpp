//===- ShapeRules.cpp - shared shape arithmetic of the nn ops -------------===//
#include "ir/ShapeRules.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;

namespace nn {

std::optional<llvm::SmallVector<int64_t>> broadcastShapes(llvm::ArrayRef<int64_t> a,
                                                           llvm::ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  llvm::SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    int64_t d;
    if (da == db)
      d = da;
    else if (da == 1)
      d = db;
    else if (db == 1)
      d = da;
    else if (ShapedType::isDynamic(da))
      d = db;
    else if (ShapedType::isDynamic(db))
      d = da;
    else
      return std::nullopt;
    result[rank - 1 - i] = d;
  }
  return result;
}

bool areCompatibleTypes(Type a, Type b) {
  if (a == b)
    return true;
  auto sa = dyn_cast<ShapedType>(a), sb = dyn_cast<ShapedType>(b);
  if (!sa || !sb || sa.getElementType() != sb.getElementType())
    return false;
  return succeeded(verifyCompatibleShape(a, b));
}

bool areCompatibleTypeLists(TypeRange a, TypeRange b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip(a, b))
    if (!areCompatibleTypes(x, y))
      return false;
  return true;
}

std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (i)
      s += ", ";
    s += ShapedType::isDynamic(d) ? "?" : std::to_string(d);
  }
  return s + "]";
}

std::string languageType(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t)
    return "a tensor of unknown rank";
  Type e = t.getElementType();
  std::string name = e.isF32() ? "f32" : e.isInteger(32) ? "i32" : e.isInteger(1) ? "i1" : "?";
  return name + shapeString(t.getShape());
}

LogicalResult inferBroadcastType(StringRef opName, std::optional<Location> loc, Type lhs,
                                 Type rhs, SmallVectorImpl<Type> &types) {
  auto l = cast<TensorType>(lhs), r = cast<TensorType>(rhs);
  if (!l.hasRank() || !r.hasRank()) {
    types.push_back(UnrankedTensorType::get(l.getElementType()));
    return success();
  }
  auto shape = broadcastShapes(l.getShape(), r.getShape());
  if (!shape)
    return emitOptionalError(loc, "operands of '", opName, "' have incompatible shapes ",
                             languageType(l), " and ", languageType(r),
                             " (dims must be equal or 1 when aligned at the right)");
  types.push_back(RankedTensorType::get(*shape, l.getElementType()));
  return success();
}

LogicalResult inferReduceType(StringRef opName, std::optional<Location> loc, Type input,
                              ArrayRef<int64_t> axes, bool keepdims,
                              SmallVectorImpl<Type> &types) {
  auto t = cast<TensorType>(input);
  if (!t.hasRank()) {
    types.push_back(t);
    return success();
  }
  int64_t rank = t.getRank();
  llvm::SmallSet<int64_t, 4> seen;
  for (int64_t a : axes) {
    if (a < 0 || a >= rank)
      return emitOptionalError(loc, "'", opName, "' axis ", a,
                               " is out of range for a tensor of rank ", rank);
    if (!seen.insert(a).second)
      return emitOptionalError(loc, "'", opName, "' axis ", a, " is repeated");
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    bool reduced = axes.empty() || seen.contains(i);
    if (!reduced)
      shape.push_back(t.getDimSize(i));
    else if (keepdims)
      shape.push_back(1);
  }
  types.push_back(RankedTensorType::get(shape, t.getElementType()));
  return success();
}

} // namespace nn
