//===- NNTraits.h - traits of nn ops ----------------------------*- C++ -*-===//
#ifndef NN_IR_NNTRAITS_H
#define NN_IR_NNTRAITS_H

#include "mlir/IR/OpDefinition.h"

namespace mlir::OpTrait {
/// Each result element depends only on the operand elements at the same (broadcast)
/// position: such ops fuse freely into the kernel of their producer or consumer.
template <typename ConcreteType>
class NNElementwise : public TraitBase<ConcreteType, NNElementwise> {};

// How each output element is computed; fusion and schedules read these (see
// docs/design.md, "Kernels"). Elementwise ops have NNElementwise instead.

/// A pure function of the index that reads operands at derived positions or only their
/// shapes (broadcast_to, one_hot, count, random_uniform, random_normal).
template <typename ConcreteType>
class NNPointwise : public TraitBase<ConcreteType, NNPointwise> {};

/// Each element is one operand element at a permuted position (transpose).
template <typename ConcreteType>
class NNPermute : public TraitBase<ConcreteType, NNPermute> {};

/// An accumulator over some dims of the operand (reduce_sum/mean/max).
template <typename ConcreteType>
class NNReduction : public TraitBase<ConcreteType, NNReduction> {};

/// A contraction that reads every operand element many times (matmul).
template <typename ConcreteType>
class NNContraction : public TraitBase<ConcreteType, NNContraction> {};

/// An accumulator whose terms add at positions read from data (scatter_add): its
/// terms run serially in a fixed order, so it is a kernel of its own.
template <typename ConcreteType>
class NNScatter : public TraitBase<ConcreteType, NNScatter> {};

/// A view of the operand's buffer with another shape: no data moves (reshape).
template <typename ConcreteType>
class NNAlias : public TraitBase<ConcreteType, NNAlias> {};

/// The op's results are piecewise constant in its operands (comparisons, one-hot, shape
/// queries, noise): their derivative is zero, so automatic differentiation stops here.
template <typename ConcreteType>
class NNZeroGradient : public TraitBase<ConcreteType, NNZeroGradient> {};
} // namespace mlir::OpTrait

#endif // NN_IR_NNTRAITS_H
