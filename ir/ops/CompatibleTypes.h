//===- CompatibleTypes.h - the ops' shared isCompatibleReturnTypes -*- C++ -*-===//
//
// Ops declared with InferTypeOpAdaptorWithIsCompatible accept a declared result type
// that is compatible with the inferred one (`?` and unranked may stand for a size). An
// op family's .cpp defines that method with this macro (mlir and nn in scope).
//
//===----------------------------------------------------------------------------===//
#ifndef NN_IR_OPS_COMPATIBLETYPES_H
#define NN_IR_OPS_COMPATIBLETYPES_H

#include "ir/ShapeRules.h"

#define NN_COMPATIBLE_RETURN_TYPES(Op)                                                 \
  bool Op::isCompatibleReturnTypes(TypeRange l, TypeRange r) {                         \
    return areCompatibleTypeLists(l, r);                                               \
  }

#endif // NN_IR_OPS_COMPATIBLETYPES_H
