// GEMM microbenchmark for nnc: C[M x N] = A[M x K] x B[K x N], f32, both operands
// inputs. A template: bench/run.sh replaces @M@, @K@ and @N@, and @MD@ with "" (a
// static M) or "B" (@M@ = ?, a dynamic row count like a batch, set with `bench
// --batch`, as W1's layers have it), and compiles each shape with
//   ./build/bin/nnc build/bench/matmul_LABEL.mlir -o build/bench/gemm_nnc_LABEL
// and times it with the executable's `bench --entry infer`.
module attributes {nn.model = "gemm"} {
  nn.input @a {dims = ["@MD@", ""]} : tensor<@M@x@K@xf32>
  nn.input @b {dims = ["", ""]} : tensor<@K@x@N@xf32>
  func.func @infer(%a: tensor<@M@x@K@xf32> {nn.input = @a},
                   %b: tensor<@K@x@N@xf32> {nn.input = @b})
      -> (tensor<@M@x@N@xf32> {nn.output = "c"}) {
    %c = nn.matmul %a, %b : (tensor<@M@x@K@xf32>, tensor<@K@x@N@xf32>) -> tensor<@M@x@N@xf32>
    return %c : tensor<@M@x@N@xf32>
  }
}
