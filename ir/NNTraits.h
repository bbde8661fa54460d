//===- NNTraits.h - traits of nn ops ----------------------------*- C++ -*-===//
#ifndef NN_IR_NNTRAITS_H
#define NN_IR_NNTRAITS_H

#include "mlir/IR/OpDefinition.h"

namespace mlir::OpTrait {
/// Each result element depends only on the operand elements at the same (broadcast)
/// position: such ops fuse freely into the kernel of their producer or consumer.
template <typename ConcreteType>
class NNElementwise : public TraitBase<ConcreteType, NNElementwise> {};

/// The op's results are piecewise constant in its operands (comparisons, one-hot, shape
/// queries, noise): their derivative is zero, so automatic differentiation stops here.
template <typename ConcreteType>
class NNZeroGradient : public TraitBase<ConcreteType, NNZeroGradient> {};
} // namespace mlir::OpTrait

#endif // NN_IR_NNTRAITS_H
