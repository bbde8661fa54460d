//===- Scan.td - a loop over a sequence -------------------------*- tablegen -*-===//
//
// The recurrence of recurrent networks (docs/design.md, "Recurrences"). The body is a
// region of nn ops run once per time step; shape rule, verifier, gradient (through
// time) and canonicalization in ops/Scan.cpp.
//
//===----------------------------------------------------------------------------===//

def NN_ScanOp : NN_Op<"scan", [IsolatedFromAbove, RecursiveMemoryEffects,
    SingleBlockImplicitTerminator<"YieldOp">, AttrSizedOperandSegments,
    AttrSizedResultSegments, NN_Differentiable, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "a loop over the leading (time) dim of sequences, with carried state";
  let description = [{
    ```
    %h, %ys = nn.scan carried(%h0 : tensor<2x3xf32>)
                      sequences(%xs : tensor<5x2x4xf32>)
                      invariants(%w, %u : tensor<4x3xf32>, tensor<3x3xf32>)
                      -> finals(tensor<2x3xf32>) stacked(tensor<5x2x3xf32>) {
    ^bb0(%h: tensor<2x3xf32>, %x: tensor<2x4xf32>, %w: tensor<4x3xf32>, %u: tensor<3x3xf32>):
      ...
      nn.yield %next, %y : tensor<2x3xf32>, tensor<2x3xf32>
    }
    ```
    runs the body once per step t of the sequences' leading dim S (time-major,
    `[S, ...]`; every sequence has the same S, which may be dynamic). The body's
    arguments are the carried values (the operands `carried` at step 0, then what the
    previous step yielded), the step-t slice of each sequence, and the invariants
    (weights), whole. It yields the next carried values, then one value per stacked
    output. The results are the carried values after the last step (`finals`) and the
    per-step outputs stacked along a new leading dim S (`stacked`), in time order.
    With `reverse`, steps run from S-1 down to 0 (stacked outputs still in time order).
    With `length N` (static, positive), the loop runs N steps: a loop without sequences
    (a recurrence whose next input is computed, as greedy decoding's) needs it, and a
    loop with sequences may give it if every sequence's leading dim is N.
    The region is isolated from above: everything it reads is an operand, so its
    gradient is a function of the operands, and code generation compiles it alone.
  }];
  let arguments = (ins Variadic<NN_AnyTensor>:$carried, Variadic<NN_AnyTensor>:$sequences,
                       Variadic<NN_AnyTensor>:$invariants, UnitAttr:$reverse,
                       OptionalAttr<I64Attr>:$length);
  let results = (outs Variadic<NN_AnyTensor>:$finals, Variadic<NN_AnyTensor>:$stacked);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    (`reverse` $reverse^)? (`length` $length^)? (`carried` `(` $carried^ `:` type($carried) `)`)?
    (`sequences` `(` $sequences^ `:` type($sequences) `)`)?
    (`invariants` `(` $invariants^ `:` type($invariants) `)`)?
    `->` (`finals` `(` type($finals)^ `)`)? (`stacked` `(` type($stacked)^ `)`)?
    $body attr-dict
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// The body's arguments: carried, step slices, invariants.
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    ::mlir::Block::BlockArgListType getCarriedArgs() {
      return getBodyBlock().getArguments().take_front(getCarried().size());
    }
    ::mlir::Block::BlockArgListType getStepArgs() {
      return getBodyBlock().getArguments().slice(getCarried().size(),
                                                 getSequences().size());
    }
    ::mlir::Block::BlockArgListType getInvariantArgs() {
      return getBodyBlock().getArguments().take_back(getInvariants().size());
    }
    /// The number of steps when it is static: `length`, else the leading dim of a
    /// sequence; ShapedType::kDynamic otherwise.
    int64_t getStaticStepCount();
    /// The body's argument types for the current operand types.
    ::llvm::SmallVector<::mlir::Type> getBodyArgumentTypes();
  }];
}
