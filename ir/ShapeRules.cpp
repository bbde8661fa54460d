//===- ShapeRules.cpp - shared shape arithmetic of the nn ops -------------===//
#include "ir/ShapeRules.h"
#include "mlir/IR/TypeUtilities.h"

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

} // namespace nn
