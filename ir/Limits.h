//===- Limits.h - the size limits the compiler and the runtime share ------===//
//
// Plain constants (no MLIR), so the frontend's Sema can use them too. Every size the
// compiler multiplies is checked against these with overflow-checked arithmetic, and
// the errors name the limit.
//
//===----------------------------------------------------------------------===//
#ifndef NN_IR_LIMITS_H
#define NN_IR_LIMITS_H

#include <cstdint>
#include <optional>

namespace nn {

/// The most elements of one tensor, and so of one dimension: the runtime's
/// NNRT_MAX_ELEMENTS (runtime/include/nnrt/model.h), 2^31 - 1.
constexpr int64_t kMaxElements = 2147483647;

/// `a * b` for non-negative sizes, or nullopt when the product overflows int64.
inline std::optional<int64_t> checkedMul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

/// `a + b`, or nullopt when the sum overflows int64.
inline std::optional<int64_t> checkedAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

} // namespace nn

#endif // NN_IR_LIMITS_H
