//===- NNOps.h - nn dialect operations --------------------------*- C++ -*-===//
#ifndef NN_IR_NNOPS_H
#define NN_IR_NNOPS_H

#include "ir/Compute.h"
#include "ir/GradBuilder.h"
#include "ir/NNDialect.h"
#include "ir/NNTraits.h"
#include "ir/ShapeRules.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "ir/NNInterfaces.h.inc"

#define GET_OP_CLASSES
#include "ir/NNOps.h.inc"

#endif // NN_IR_NNOPS_H
