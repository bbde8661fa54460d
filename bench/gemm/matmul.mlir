// GEMM microbenchmark for nnc: C = A x B, 1024x1024x1024, f32, both operands inputs.
// bench/run.sh compiles it (and copies with 1024 replaced by 256 and 512) with
//   ./build/bin/nnc bench/gemm/matmul.mlir -o build/bench/gemm_nnc_1024
// and times it with the executable's `bench --entry infer`.
module attributes {nn.model = "gemm"} {
  nn.input @a {dims = ["", ""]} : tensor<1024x1024xf32>
  nn.input @b {dims = ["", ""]} : tensor<1024x1024xf32>
  func.func @infer(%a: tensor<1024x1024xf32> {nn.input = @a},
                   %b: tensor<1024x1024xf32> {nn.input = @b})
      -> (tensor<1024x1024xf32> {nn.output = "c"}) {
    %c = nn.matmul %a, %b : (tensor<1024x1024xf32>, tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
    return %c : tensor<1024x1024xf32>
  }
}
