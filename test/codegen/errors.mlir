// Tests code generation errors: unknown targets list the valid ones, PTX needs a CUDA
// target, and a dynamic dim that is another function of the symbols than a
// number times their product ((B*6)/4) has no representation in the model tables.
// RUN: not nnc %s --emit=halide --target=arm 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not nnc %s --emit=ptx 2>&1 | FileCheck %s --check-prefix=PTX
// RUN: not nnc %S/Inputs/symbolic-product.mlir --emit=halide 2>&1 | FileCheck %s --check-prefix=SYM

// TARGET: unknown target 'arm' (valid targets: host, x86-64, x86-64-avx2, x86-64-avx512, host-cuda)
// PTX: --emit=ptx needs a CUDA target (--target=host-cuda), not 'host'
// SYM: symbolic-product.mlir:5:3: unsupported symbolic dim expression in entry 'infer': a dim is not a number times a product of symbols: with B = 10007, 'nn.reshape' cannot reshape 60042 elements into [-1, 4]

module attributes {nn.model = "err"} {
  nn.input @x {dims = ["B", ""]} : tensor<?x4xf32>
  func.func @infer(%x: tensor<?x4xf32> {nn.input = @x}) -> tensor<?x4xf32> {
    %0 = nn.relu %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    return %0 : tensor<?x4xf32>
  }
}
