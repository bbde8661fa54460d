//===- AST.cpp - AST helpers and the AST dumper ---------------------------===//

#include "frontend/AST.h"

#include "llvm/Support/raw_ostream.h"

using namespace nnc;
using namespace nnc::ast;

llvm::StringRef ast::getDTypeName(DType dtype) {
  return dtype == DType::F32 ? "f32" : "i32";
}

const ModelDecl *Module::lookupModel(llvm::StringRef name) const {
  for (const auto &decl : decls)
    if (const auto *model = llvm::dyn_cast<ModelDecl>(decl.get()))
      if (model->getName() == name)
        return model;
  return nullptr;
}

const ModelDecl *Module::getLastModel() const {
  const ModelDecl *last = nullptr;
  for (const auto &decl : decls)
    if (const auto *model = llvm::dyn_cast<ModelDecl>(decl.get()))
      last = model;
  return last;
}

const FnDecl *Module::lookupFunction(llvm::StringRef name) const {
  for (const auto &decl : decls)
    if (const auto *fn = llvm::dyn_cast<FnDecl>(decl.get()))
      if (fn->getName() == name)
        return fn;
  return nullptr;
}

namespace {
/// Prints declarations, statements and expressions.
class Dumper {
public:
  explicit Dumper(llvm::raw_ostream &os) : os(os) {}

  void dumpDecl(const Decl &decl);
  void dumpStmt(const Stmt &stmt);
  void dumpExpr(const Expr &expr);
  void dumpType(const TensorType &type);
  void dumpCall(const CallExpr &call);
  void dumpTrain(const TrainStmt &train);

private:
  llvm::raw_ostream &os;
};
} // namespace

void Dumper::dumpType(const TensorType &type) {
  os << getDTypeName(type.dtype) << '[';
  for (size_t i = 0, e = type.dims.size(); i != e; ++i) {
    if (i)
      os << ", ";
    if (type.dims[i].isSymbolic())
      os << type.dims[i].symbol;
    else
      os << type.dims[i].size;
  }
  os << ']';
}

void Dumper::dumpCall(const CallExpr &call) {
  os << call.getCallee();
  if (!call.getLayerName().empty())
    os << '<' << call.getLayerName() << '>';
  os << '(';
  bool first = true;
  for (const auto &arg : call.getArgs()) {
    if (!first)
      os << ", ";
    first = false;
    dumpExpr(*arg);
  }
  for (const KeywordArg &kwarg : call.getKwargs()) {
    if (!first)
      os << ", ";
    first = false;
    os << kwarg.name << " = ";
    dumpExpr(*kwarg.value);
  }
  os << ')';
}

void Dumper::dumpExpr(const Expr &expr) {
  switch (expr.getKind()) {
  case Expr::Kind::Number:
    os << llvm::cast<NumberExpr>(expr).getSpelling();
    return;
  case Expr::Kind::Bool:
    os << (llvm::cast<BoolExpr>(expr).getValue() ? "true" : "false");
    return;
  case Expr::Kind::String:
    os << '"' << llvm::cast<StringExpr>(expr).getValue() << '"';
    return;
  case Expr::Kind::Ident:
    os << llvm::cast<IdentExpr>(expr).getName();
    return;
  case Expr::Kind::List: {
    os << '[';
    bool first = true;
    for (const auto &element : llvm::cast<ListExpr>(expr).getElements()) {
      if (!first)
        os << ", ";
      first = false;
      dumpExpr(*element);
    }
    os << ']';
    return;
  }
  case Expr::Kind::Unary: {
    const auto &unary = llvm::cast<UnaryExpr>(expr);
    os << '(' << unary.getOp();
    dumpExpr(unary.getOperand());
    os << ')';
    return;
  }
  case Expr::Kind::Binary: {
    const auto &binary = llvm::cast<BinaryExpr>(expr);
    os << '(';
    dumpExpr(binary.getLHS());
    os << ' ' << binary.getOp() << ' ';
    dumpExpr(binary.getRHS());
    os << ')';
    return;
  }
  case Expr::Kind::Call:
    dumpCall(llvm::cast<CallExpr>(expr));
    return;
  }
}

void Dumper::dumpTrain(const TrainStmt &train) {
  os << "train " << train.getName() << ": minimize ";
  dumpExpr(train.getLoss());
  os << " with ";
  dumpCall(train.getOptimizer());
  if (train.batch.value)
    os << " batch " << *train.batch.value;
  if (train.epochs.value)
    os << " epochs " << *train.epochs.value;
  if (!train.data.value.empty())
    os << " data " << train.data.value;
  for (size_t i = 0, e = train.dataOptions.size(); i != e; ++i) {
    const DataOption &o = train.dataOptions[i];
    os << (i ? ", " : "(") << o.key << " = ";
    if (o.kind == DataOption::Kind::String)
      os << '"' << o.value << '"';
    else
      os << o.value;
    os << (i + 1 == e ? ")" : "");
  }
  if (train.seed.value)
    os << " seed " << *train.seed.value;
  if (!train.schedule.value.empty())
    os << " schedule " << train.schedule.value;
  if (train.warmup.value)
    os << " warmup " << *train.warmup.value;
  if (train.microBatch.value)
    os << " micro_batch " << *train.microBatch.value;
  if (!train.over.empty()) {
    os << " over ";
    for (size_t i = 0, e = train.over.size(); i != e; ++i)
      os << (i ? ", " : "") << train.over[i].first;
  }
}

void Dumper::dumpStmt(const Stmt &stmt) {
  os << "  ";
  switch (stmt.getKind()) {
  case Stmt::Kind::Input:
    os << "input " << stmt.getName() << ": ";
    dumpType(llvm::cast<InputStmt>(stmt).getType());
    break;
  case Stmt::Kind::Param: {
    const auto &param = llvm::cast<ParamStmt>(stmt);
    os << "param " << stmt.getName() << ": ";
    dumpType(param.getType());
    os << " = ";
    if (param.getInit().getArgs().empty() && param.getInit().getKwargs().empty())
      os << param.getInit().getCallee();
    else
      dumpCall(param.getInit());
    break;
  }
  case Stmt::Kind::Let: {
    const auto &let = llvm::cast<LetStmt>(stmt);
    if (let.isInfer())
      os << "infer ";
    os << stmt.getName() << " = ";
    dumpExpr(let.getValue());
    break;
  }
  case Stmt::Kind::Train:
    dumpTrain(llvm::cast<TrainStmt>(stmt));
    break;
  case Stmt::Kind::Return:
    os << "return ";
    dumpExpr(llvm::cast<ReturnStmt>(stmt).getValue());
    break;
  case Stmt::Kind::Emit:
    os << "emit " << stmt.getName() << " = ";
    dumpExpr(llvm::cast<EmitStmt>(stmt).getValue());
    break;
  case Stmt::Kind::Loop: {
    const auto &loop = llvm::cast<LoopStmt>(stmt);
    os << "loop " << loop.getSteps() << " steps";
    for (size_t i = 0, e = loop.getCarried().size(); i != e; ++i) {
      os << (i ? ", " : " with ") << loop.getCarried()[i]->getName() << " = ";
      dumpExpr(loop.getCarried()[i]->getValue());
    }
    os << " {\n";
    for (const auto &inner : loop.getBody()) {
      os << "  ";
      dumpStmt(*inner);
    }
    os << "  }";
    break;
  }
  }
  os << '\n';
}

void Dumper::dumpDecl(const Decl &decl) {
  if (const auto *fn = llvm::dyn_cast<FnDecl>(&decl)) {
    os << "fn " << fn->getName() << '(';
    for (size_t i = 0, e = fn->getArgs().size(); i != e; ++i)
      os << (i ? ", " : "") << fn->getArgs()[i].name;
    os << ") {\n";
  } else {
    os << "model " << decl.getName() << " {\n";
  }
  for (const auto &stmt : decl.getBody())
    dumpStmt(*stmt);
  if (const auto *model = llvm::dyn_cast<ModelDecl>(&decl))
    for (const LayerInstance &layer : model->getLayers())
      os << "  layer " << layer.name << ": "
         << (layer.model ? "model " + layer.model->getName().str()
                         : getBuiltinInfo(layer.kind).name.str())
         << '\n';
  os << "}\n";
}

void ast::dumpAST(const Module &module, llvm::raw_ostream &os) {
  Dumper dumper(os);
  for (const auto &decl : module.getDecls())
    dumper.dumpDecl(*decl);
}
