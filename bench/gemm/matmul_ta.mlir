// The weight-gradient form of bench/gemm/matmul.mlir: C[M x N] = A^T B with A stored
// transposed, A[K x M] and B[K x N] both inputs, K dynamic (a batch of rows, set with
// `bench --batch K`), as autodiff builds x^T g for a dense layer's weight. A template:
// bench/run.sh replaces @M@ and @N@ and compiles it to build/bench/gemm_nnc_MxBxNT.
module attributes {nn.model = "gemm"} {
  nn.input @a {dims = ["B", ""]} : tensor<?x@M@xf32>
  nn.input @b {dims = ["B", ""]} : tensor<?x@N@xf32>
  func.func @infer(%a: tensor<?x@M@xf32> {nn.input = @a},
                   %b: tensor<?x@N@xf32> {nn.input = @b})
      -> (tensor<@M@x@N@xf32> {nn.output = "c"}) {
    %c = nn.matmul %a, %b {transpose_lhs = true}
        : (tensor<?x@M@xf32>, tensor<?x@N@xf32>) -> tensor<@M@x@N@xf32>
    return %c : tensor<@M@x@N@xf32>
  }
}
