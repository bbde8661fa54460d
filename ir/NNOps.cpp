//===- NNOps.cpp - nn op type inference, verifiers and folders ------------===//
//
// Each op's `inferReturnTypes` is the one statement of its shape rule. Errors are
// emitted at the op's location (the .nn source position when built by the frontend).
//
//===----------------------------------------------------------------------------===//
#include "ir/NNOps.h"
#include "ir/ShapeRules.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace nn;

namespace {

Type unrankedLike(Type elementType) { return UnrankedTensorType::get(elementType); }

/// Dims as strings for messages: [?, 784].
std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (i)
      s += ", ";
    s += ShapedType::isDynamic(d) ? "?" : std::to_string(d);
  }
  return s + "]";
}

/// True when `v` is a constant whose every element equals `value`.
bool isSplatOf(Attribute attr, float value) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || !dense.isSplat() || !dense.getElementType().isF32())
    return false;
  return dense.getSplatValue<APFloat>().convertToFloat() == value;
}

/// Folds `op(x, constant)` to `x` when the constant is the identity element and the
/// result has exactly x's type (no broadcasting happened).
OpFoldResult foldIdentity(Value x, Type resultType, Attribute other, float identity) {
  if (x.getType() == resultType && isSplatOf(other, identity))
    return x;
  return {};
}

/// A default-valued (false) boolean attribute that may be absent from the dictionary.
bool flag(BoolAttr attr) { return attr && attr.getValue(); }

} // namespace

#define NN_COMPATIBLE_RETURN_TYPES(Op)                                                 \
  bool Op::isCompatibleReturnTypes(TypeRange l, TypeRange r) {                         \
    return areCompatibleTypeLists(l, r);                                               \
  }

//===----------------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  types.push_back(cast<TypedAttr>(adaptor.getValue()).getType());
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(ConstantOp)

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------------===//
// Unary elementwise: the result has the operand's type.
//===----------------------------------------------------------------------------===//

#define NN_UNARY_INFER(Op)                                                             \
  LogicalResult Op::inferReturnTypes(MLIRContext *, std::optional<Location>,          \
                                     Adaptor adaptor, SmallVectorImpl<Type> &types) {  \
    types.push_back(adaptor.getX().getType());                                         \
    return success();                                                                  \
  }                                                                                    \
  NN_COMPATIBLE_RETURN_TYPES(Op)

NN_UNARY_INFER(NegOp)
NN_UNARY_INFER(ExpOp)
NN_UNARY_INFER(LogOp)
NN_UNARY_INFER(SqrtOp)
NN_UNARY_INFER(AbsOp)
NN_UNARY_INFER(TanhOp)
NN_UNARY_INFER(SigmoidOp)
NN_UNARY_INFER(ReluOp)
NN_UNARY_INFER(StepOp)
NN_UNARY_INFER(StopGradientOp)

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getX().getDefiningOp<NegOp>())
    if (inner.getX().getType() == getType())
      return inner.getX();
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getX()))
    if (dense.isSplat() && dense.getElementType().isF32())
      return DenseElementsAttr::get(
          cast<ShapedType>(dense.getType()),
          APFloat(-dense.getSplatValue<APFloat>().convertToFloat()));
  return {};
}

//===----------------------------------------------------------------------------===//
// Binary elementwise with broadcasting.
//===----------------------------------------------------------------------------===//

static LogicalResult inferBroadcast(StringRef opName, std::optional<Location> loc,
                                    Type lhs, Type rhs, SmallVectorImpl<Type> &types) {
  auto l = cast<TensorType>(lhs), r = cast<TensorType>(rhs);
  if (!l.hasRank() || !r.hasRank()) {
    types.push_back(unrankedLike(l.getElementType()));
    return success();
  }
  auto shape = broadcastShapes(l.getShape(), r.getShape());
  if (!shape)
    return emitOptionalError(loc, "operands of '", opName,
                             "' have incompatible shapes ", shapeString(l.getShape()),
                             " and ", shapeString(r.getShape()),
                             " (dims must be equal or 1 when aligned at the right)");
  types.push_back(RankedTensorType::get(*shape, l.getElementType()));
  return success();
}

#define NN_BINARY_INFER(Op, name)                                                      \
  LogicalResult Op::inferReturnTypes(MLIRContext *, std::optional<Location> loc,      \
                                     Adaptor adaptor, SmallVectorImpl<Type> &types) {  \
    return inferBroadcast(name, loc, adaptor.getLhs().getType(),                       \
                          adaptor.getRhs().getType(), types);                          \
  }                                                                                    \
  NN_COMPATIBLE_RETURN_TYPES(Op)

NN_BINARY_INFER(AddOp, "nn.add")
NN_BINARY_INFER(SubOp, "nn.sub")
NN_BINARY_INFER(MulOp, "nn.mul")
NN_BINARY_INFER(DivOp, "nn.div")
NN_BINARY_INFER(MaxOp, "nn.max")
NN_BINARY_INFER(MinOp, "nn.min")
NN_BINARY_INFER(PowOp, "nn.pow")
NN_BINARY_INFER(GreaterOp, "nn.greater")

OpFoldResult AddOp::fold(FoldAdaptor a) {
  if (auto r = foldIdentity(getLhs(), getType(), a.getRhs(), 0.0f))
    return r;
  return foldIdentity(getRhs(), getType(), a.getLhs(), 0.0f);
}
OpFoldResult SubOp::fold(FoldAdaptor a) {
  return foldIdentity(getLhs(), getType(), a.getRhs(), 0.0f);
}
OpFoldResult MulOp::fold(FoldAdaptor a) {
  if (auto r = foldIdentity(getLhs(), getType(), a.getRhs(), 1.0f))
    return r;
  return foldIdentity(getRhs(), getType(), a.getLhs(), 1.0f);
}
OpFoldResult DivOp::fold(FoldAdaptor a) {
  return foldIdentity(getLhs(), getType(), a.getRhs(), 1.0f);
}

//===----------------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------------===//

static LogicalResult inferReduce(StringRef opName, std::optional<Location> loc,
                                 Type input, ArrayRef<int64_t> axes, bool keepdims,
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

#define NN_REDUCE_INFER(Op, name)                                                      \
  LogicalResult Op::inferReturnTypes(MLIRContext *, std::optional<Location> loc,      \
                                     Adaptor adaptor, SmallVectorImpl<Type> &types) {  \
    return inferReduce(name, loc, adaptor.getX().getType(), adaptor.getAxes(),         \
                       flag(adaptor.getKeepdimsAttr()), types);                                  \
  }                                                                                    \
  NN_COMPATIBLE_RETURN_TYPES(Op)

NN_REDUCE_INFER(ReduceSumOp, "nn.reduce_sum")
NN_REDUCE_INFER(ReduceMeanOp, "nn.reduce_mean")
NN_REDUCE_INFER(ReduceMaxOp, "nn.reduce_max")

//===----------------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto l = cast<TensorType>(adaptor.getLhs().getType());
  auto r = cast<TensorType>(adaptor.getRhs().getType());
  if (!l.hasRank() || !r.hasRank()) {
    types.push_back(unrankedLike(l.getElementType()));
    return success();
  }
  if (l.getRank() < 2)
    return emitOptionalError(loc, "'nn.matmul' needs a left operand of rank >= 2, got ",
                             shapeString(l.getShape()));
  if (r.getRank() != 2)
    return emitOptionalError(loc, "'nn.matmul' needs a right operand of rank 2, got ",
                             shapeString(r.getShape()));
  int64_t lr = l.getRank();
  int64_t m = l.getDimSize(lr - 2), kl = l.getDimSize(lr - 1);
  if (flag(adaptor.getTransposeLhsAttr()))
    std::swap(m, kl);
  int64_t kr = r.getDimSize(0), n = r.getDimSize(1);
  if (flag(adaptor.getTransposeRhsAttr()))
    std::swap(kr, n);
  if (!ShapedType::isDynamic(kl) && !ShapedType::isDynamic(kr) && kl != kr)
    return emitOptionalError(loc, "'nn.matmul' contraction dims differ: ",
                             shapeString(l.getShape()), " @ ", shapeString(r.getShape()),
                             " (", kl, " vs ", kr, ")");
  SmallVector<int64_t> shape(l.getShape().drop_back(2));
  shape.push_back(m);
  shape.push_back(n);
  types.push_back(RankedTensorType::get(shape, l.getElementType()));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(MatmulOp)

//===----------------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto t = cast<TensorType>(adaptor.getX().getType());
  ArrayRef<int64_t> target = adaptor.getShape();
  int64_t inferred = -1, known = 1;
  for (auto [i, d] : llvm::enumerate(target)) {
    if (d == -1) {
      if (inferred != -1)
        return emitOptionalError(loc, "'nn.reshape' shape ", shapeString(target),
                                 " has more than one -1");
      inferred = i;
    } else if (d < 0) {
      return emitOptionalError(loc, "'nn.reshape' shape ", shapeString(target),
                               " has a negative dim other than -1");
    } else {
      known *= d;
    }
  }
  SmallVector<int64_t> shape(target);
  bool staticInput = t.hasStaticShape();
  if (staticInput) {
    int64_t count = t.getNumElements();
    if (inferred >= 0) {
      if (known == 0 || count % known != 0)
        return emitOptionalError(loc, "'nn.reshape' cannot reshape ", count,
                                 " elements into ", shapeString(target));
      shape[inferred] = count / known;
    } else if (count != known) {
      return emitOptionalError(loc, "'nn.reshape' cannot reshape ", count,
                               " elements into ", shapeString(target));
    }
  } else if (inferred >= 0) {
    shape[inferred] = ShapedType::kDynamic;
  }
  types.push_back(RankedTensorType::get(shape, t.getElementType()));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(ReshapeOp)

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  auto type = cast<TensorType>(getType());
  if (getX().getType() == type && type.hasStaticShape())
    return getX();
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getX()))
    if (type.hasStaticShape())
      return dense.reshape(cast<ShapedType>(type));
  // reshape(reshape(y)) == reshape(y): the data is never moved.
  if (auto inner = getX().getDefiningOp<ReshapeOp>()) {
    getXMutable().assign(inner.getX());
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------------===//

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto t = cast<TensorType>(adaptor.getX().getType());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if (!t.hasRank()) {
    types.push_back(t);
    return success();
  }
  if ((int64_t)perm.size() != t.getRank())
    return emitOptionalError(loc, "'nn.transpose' permutation ", shapeString(perm),
                             " does not match rank ", t.getRank());
  SmallVector<bool> used(perm.size(), false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= t.getRank() || used[p])
      return emitOptionalError(loc, "'nn.transpose' ", shapeString(perm),
                               " is not a permutation");
    used[p] = true;
    shape.push_back(t.getDimSize(p));
  }
  types.push_back(RankedTensorType::get(shape, t.getElementType()));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(TransposeOp)

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  for (auto [i, p] : llvm::enumerate(getPerm()))
    if ((int64_t)i != p)
      return {};
  return getX().getType() == getType() ? getX() : Value();
}

//===----------------------------------------------------------------------------===//
// BroadcastToOp, OneHotOp
//===----------------------------------------------------------------------------===//

LogicalResult BroadcastToOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  auto x = cast<TensorType>(adaptor.getX().getType());
  auto like = cast<TensorType>(adaptor.getLike().getType());
  if (!like.hasRank()) {
    types.push_back(unrankedLike(x.getElementType()));
    return success();
  }
  if (x.hasRank()) {
    auto shape = broadcastShapes(x.getShape(), like.getShape());
    if (!shape || shape->size() != (size_t)like.getRank() ||
        failed(verifyCompatibleShape(*shape, like.getShape())))
      return emitOptionalError(loc, "'nn.broadcast_to' cannot broadcast ",
                               shapeString(x.getShape()), " to ",
                               shapeString(like.getShape()));
  }
  types.push_back(RankedTensorType::get(like.getShape(), x.getElementType()));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(BroadcastToOp)

LogicalResult OneHotOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto t = cast<TensorType>(adaptor.getLabels().getType());
  int64_t depth = adaptor.getDepth();
  if (depth <= 0)
    return emitOptionalError(loc, "'nn.one_hot' depth must be positive, got ", depth);
  auto f32 = Float32Type::get(ctx);
  if (!t.hasRank()) {
    types.push_back(unrankedLike(f32));
    return success();
  }
  SmallVector<int64_t> shape(t.getShape());
  shape.push_back(depth);
  types.push_back(RankedTensorType::get(shape, f32));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(OneHotOp)

//===----------------------------------------------------------------------------===//
// Model declarations
//===----------------------------------------------------------------------------===//

LogicalResult InputOp::verify() {
  auto t = dyn_cast<RankedTensorType>(getType());
  if (!t)
    return emitOpError("input type must be ranked, got ") << getType();
  if ((int64_t)getDims().size() != t.getRank())
    return emitOpError("has ") << getDims().size() << " dim names for rank "
                               << t.getRank();
  for (auto [i, name] : llvm::enumerate(getDims().getAsValueRange<StringAttr>())) {
    bool dynamic = t.isDynamicDim(i);
    if (dynamic == name.empty())
      return emitOpError("dim ") << i << (dynamic ? " is dynamic but has no symbol name"
                                                  : " is static but has a symbol name");
  }
  return success();
}

LogicalResult VariableOp::verify() {
  auto t = dyn_cast<RankedTensorType>(getType());
  if (!t || !t.hasStaticShape())
    return emitOpError("variable type must have a static shape, got ") << getType();
  static const char *const inits[] = {"zeros",  "ones",    "glorot_uniform", "he_uniform",
                                      "normal", "uniform", "constant"};
  if (!llvm::is_contained(inits, getInit()))
    return emitOpError("unknown initializer '") << getInit() << "'";
  return success();
}

//===----------------------------------------------------------------------------===//
// KernelOp
//===----------------------------------------------------------------------------===//

LogicalResult KernelOp::verify() {
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError("has ") << body.getNumArguments() << " block arguments for "
                               << getInputs().size() << " inputs";
  for (auto [arg, input] : llvm::zip(body.getArguments(), getInputs()))
    if (arg.getType() != input.getType())
      return emitOpError("block argument type ")
             << arg.getType() << " differs from input type " << input.getType();
  auto yield = cast<YieldOp>(body.getTerminator());
  if (!areCompatibleTypeLists(yield.getValues().getTypes(), getResultTypes()))
    return emitOpError("yields ") << yield.getValues().getTypes()
                                  << " but declares results " << getResultTypes();
  return success();
}

//===----------------------------------------------------------------------------===//
// CountOp, RandomUniformOp
//===----------------------------------------------------------------------------===//

LogicalResult CountOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto t = cast<TensorType>(adaptor.getX().getType());
  if (t.hasRank())
    for (int64_t a : adaptor.getAxes())
      if (a < 0 || a >= t.getRank())
        return emitOptionalError(loc, "'nn.count' axis ", a,
                                 " is out of range for a tensor of rank ", t.getRank());
  types.push_back(RankedTensorType::get({}, Float32Type::get(ctx)));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(CountOp)

LogicalResult RandomUniformOp::inferReturnTypes(MLIRContext *ctx,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  auto seed = cast<TensorType>(adaptor.getSeed().getType());
  if (seed.hasRank() && seed.getRank() != 0)
    return emitOptionalError(loc, "'nn.random_uniform' seed must be a rank-0 tensor");
  if (Value stream = adaptor.getStream())
    if (auto t = cast<TensorType>(stream.getType()); t.hasRank() && t.getRank() != 0)
      return emitOptionalError(loc, "'nn.random_uniform' stream must be a rank-0 tensor");
  auto like = cast<TensorType>(adaptor.getLike().getType());
  types.push_back(like.hasRank()
                      ? Type(RankedTensorType::get(like.getShape(), Float32Type::get(ctx)))
                      : unrankedLike(Float32Type::get(ctx)));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(RandomUniformOp)

#include "ir/NNInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "ir/NNOps.cpp.inc"
