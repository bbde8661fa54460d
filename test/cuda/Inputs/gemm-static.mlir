// Static products for the CUDA GEMM schedules (test/cuda/schedules.test): a plain one
// with a relu epilogue, a transposed rhs, a batched rhs, and a contracted dim that is
// not a multiple of 16 (the per-thread schedule).
module attributes {nn.model = "gs"} {
  nn.variable @a {init = "glorot_uniform"} : tensor<256x512xf32>
  nn.variable @b {init = "glorot_uniform"} : tensor<512x128xf32>
  nn.variable @bt {init = "glorot_uniform"} : tensor<128x512xf32>
  nn.variable @q {init = "glorot_uniform"} : tensor<4x64x32xf32>
  nn.variable @k {init = "glorot_uniform"} : tensor<4x32x64xf32>
  nn.variable @c {init = "glorot_uniform"} : tensor<256x100xf32>
  nn.variable @d {init = "glorot_uniform"} : tensor<100x128xf32>
  func.func @infer(%a: tensor<256x512xf32> {nn.param = @a}, %b: tensor<512x128xf32> {nn.param = @b},
                   %bt: tensor<128x512xf32> {nn.param = @bt}, %q: tensor<4x64x32xf32> {nn.param = @q},
                   %k: tensor<4x32x64xf32> {nn.param = @k}, %c: tensor<256x100xf32> {nn.param = @c},
                   %d: tensor<100x128xf32> {nn.param = @d})
      -> (tensor<256x128xf32>, tensor<256x128xf32>, tensor<4x64x64xf32>, tensor<256x128xf32>) {
    %0 = nn.matmul %a, %b : (tensor<256x512xf32>, tensor<512x128xf32>) -> tensor<256x128xf32>
    %1 = nn.relu %0 : (tensor<256x128xf32>) -> tensor<256x128xf32>
    %2 = nn.matmul %a, %bt {transpose_rhs = true} : (tensor<256x512xf32>, tensor<128x512xf32>) -> tensor<256x128xf32>
    %3 = nn.matmul %q, %k : (tensor<4x64x32xf32>, tensor<4x32x64xf32>) -> tensor<4x64x64xf32>
    %4 = nn.matmul %c, %d : (tensor<256x100xf32>, tensor<100x128xf32>) -> tensor<256x128xf32>
    return %1, %2, %3, %4 : tensor<256x128xf32>, tensor<256x128xf32>, tensor<4x64x64xf32>, tensor<256x128xf32>
  }
}
