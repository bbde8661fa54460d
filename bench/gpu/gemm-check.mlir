// The GPU GEMM schedules' shapes, for bench/gpu/run.sh: the CUDA binary's products
// against the CPU binary's, from the same seeded parameters. Static products with a
// contracted dim of whole 16-chunks take the shared-memory schedules (large tiles at
// >= 128 columns and >= 64 rows, with shifted tiles where the output is not a multiple
// of the tile; small tiles below), the others the per-thread ones.
module attributes {nn.model = "gemmcheck"} {
  nn.variable @a {init = "glorot_uniform"} : tensor<256x512xf32>
  nn.variable @b {init = "glorot_uniform"} : tensor<512x128xf32>
  nn.variable @bt {init = "glorot_uniform"} : tensor<200x512xf32>
  nn.variable @e {init = "glorot_uniform"} : tensor<100x512xf32>
  nn.variable @f {init = "glorot_uniform"} : tensor<512x200xf32>
  nn.variable @at {init = "glorot_uniform"} : tensor<512x256xf32>
  nn.variable @q {init = "glorot_uniform"} : tensor<4x64x32xf32>
  nn.variable @k {init = "glorot_uniform"} : tensor<4x32x64xf32>
  nn.variable @c {init = "glorot_uniform"} : tensor<256x100xf32>
  nn.variable @d {init = "glorot_uniform"} : tensor<100x128xf32>
  func.func @infer(%a: tensor<256x512xf32> {nn.param = @a}, %b: tensor<512x128xf32> {nn.param = @b},
                   %bt: tensor<200x512xf32> {nn.param = @bt}, %e: tensor<100x512xf32> {nn.param = @e},
                   %f: tensor<512x200xf32> {nn.param = @f}, %at: tensor<512x256xf32> {nn.param = @at},
                   %q: tensor<4x64x32xf32> {nn.param = @q}, %k: tensor<4x32x64xf32> {nn.param = @k},
                   %c: tensor<256x100xf32> {nn.param = @c}, %d: tensor<100x128xf32> {nn.param = @d})
      -> (tensor<256x128xf32> {nn.output = "ab"}, tensor<256x200xf32> {nn.output = "abt"},
          tensor<100x200xf32> {nn.output = "ef"}, tensor<256x128xf32> {nn.output = "atb"},
          tensor<4x64x64xf32> {nn.output = "qk"}, tensor<256x128xf32> {nn.output = "cd"}) {
    %0 = nn.matmul %a, %b : (tensor<256x512xf32>, tensor<512x128xf32>) -> tensor<256x128xf32>
    %1 = nn.matmul %a, %bt {transpose_rhs = true} : (tensor<256x512xf32>, tensor<200x512xf32>) -> tensor<256x200xf32>
    %2 = nn.matmul %e, %f : (tensor<100x512xf32>, tensor<512x200xf32>) -> tensor<100x200xf32>
    %3 = nn.matmul %at, %b {transpose_lhs = true} : (tensor<512x256xf32>, tensor<512x128xf32>) -> tensor<256x128xf32>
    %4 = nn.matmul %q, %k : (tensor<4x64x32xf32>, tensor<4x32x64xf32>) -> tensor<4x64x64xf32>
    %5 = nn.matmul %c, %d : (tensor<256x100xf32>, tensor<100x128xf32>) -> tensor<256x128xf32>
    return %0, %1, %2, %3, %4, %5 : tensor<256x128xf32>, tensor<256x200xf32>, tensor<100x200xf32>, tensor<256x128xf32>, tensor<4x64x64xf32>, tensor<256x128xf32>
  }
}
