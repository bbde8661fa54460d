// Tests the memory plan of temporaries (codegen/MemoryPlan.cpp, ABI v2): in the chain
// x -> a -> b -> c -> y every step reads one temporary and writes the next, so b may
// share with neither a nor c (each step reads and writes different buffers), while a
// and c share: 3 temporaries in 2 buffers. In @alias a reshape of `a` is read by the
// last step, so `a` lives until then and `b`, written while the reshape is still
// pending, must not take its buffer (v is zeros: were they shared, y would be 0).
// In @small the same chain has a fixed size of 36 bytes, up to kOwnBufferBytes (4 KB):
// each temporary has a buffer of its own (so that steps may run side by side), 3 in 3.
// `info` reports the compiler's figures (at B=1: the model has no train batch);
// `info --batch` recomputes them with libnnrt's layout; `--plan` shows each step's
// temporaries as t<slot>@b<buffer>. The runs check the values, and that a second run
// at the same batch allocates nothing (bench --count-allocs).
// RUN: nnc %s -o %t
// RUN: %t info --plan | FileCheck %s
// RUN: %t info --batch 1000 | FileCheck %s --check-prefix=BATCH
// RUN: %t run --input x=%S/Inputs/x2x3.npy --print | FileCheck %s --check-prefix=CHAIN
// RUN: %t run --entry alias --input x=%S/Inputs/x2x3.npy --print | FileCheck %s --check-prefix=ALIAS
// RUN: %t bench --iters 3 --warmup 1 --count-allocs | FileCheck %s --check-prefix=ALLOCS

// CHECK:      memory (temporaries arena, planned by nnc):
// CHECK-NEXT:   infer: 3 temporaries in 2 buffers, arena 128 B at B=1 (no reuse: 192 B)
// CHECK-NEXT:   alias: 2 temporaries in 2 buffers, arena 128 B at B=1 (no reuse: 128 B)
// CHECK-NEXT:   small: 3 temporaries in 3 buffers, arena 192 B at B=1 (no reuse: 192 B)
// The four matmuls of @infer (and the two of @alias) are one kernel, compiled once and
// called with other buffers.
// CHECK-NEXT: plan of infer:
// CHECK-NEXT:   step 0 [[MM:plan_infer_k[0-9]+]]: x w t2@b0
// CHECK-NEXT:   step 1 [[MM]]: t2@b0 w t3@b1
// CHECK-NEXT:   step 2 [[MM]]: t3@b1 w t4@b0
// CHECK-NEXT:   step 3 [[MM]]: t4@b0 w out:y
// CHECK-NEXT: plan of alias:
// CHECK-NEXT:   step 0 [[MM]]: x w t3@b0
// CHECK-NEXT:   step 1 [[MM]]: x v t5@b1
// CHECK-NEXT:   step 2 plan_alias_k{{[0-9]+}}: t3@b0 t5@b1 out:y
// CHECK-NEXT: plan of small:
// CHECK-NEXT:   step 0 plan_small_k{{[0-9]+}}: w t{{[0-9]+}}@b0
// CHECK-NEXT:   step 1 [[SM:plan_small_k[0-9]+]]: t{{[0-9]+}}@b0 w t{{[0-9]+}}@b1
// CHECK-NEXT:   step 2 [[SM]]: t{{[0-9]+}}@b1 w t{{[0-9]+}}@b2
// CHECK-NEXT:   step 3 [[SM]]: t{{[0-9]+}}@b2 w out:y

// 1000 x 3 floats = 12000 bytes, 12032 aligned.
// BATCH:      memory (temporaries arena, laid out by libnnrt):
// BATCH-NEXT:   infer: 3 temporaries in 2 buffers, arena 23.5 KiB at B=1000 (no reuse: 35.2 KiB)

// x = [[1, 2, 3], [4, 5, -6]], w = ones: every matmul multiplies the row sums by 3.
// CHAIN: y: 162 162 162 81 81 81
// ALIAS: y: 6 6 6 3 3 3

// ALLOCS: entry infer
// ALLOCS: allocations after warm-up: 0 (3 runs of infer)
// ALLOCS: entry alias
// ALLOCS: allocations after warm-up: 0 (3 runs of alias)

module attributes {nn.model = "plan"} {
  nn.input @x {dims = ["B", ""]} : tensor<?x3xf32>
  nn.variable @w {init = "ones"} : tensor<3x3xf32>
  nn.variable @v {init = "zeros"} : tensor<3x3xf32>
  func.func @infer(%x: tensor<?x3xf32> {nn.input = @x}, %w: tensor<3x3xf32> {nn.param = @w})
      -> (tensor<?x3xf32> {nn.output = "y"}) {
    %a = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32>
    %b = nn.matmul %a, %w : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32>
    %c = nn.matmul %b, %w : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32>
    %y = nn.matmul %c, %w : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32>
    return %y : tensor<?x3xf32>
  }
  func.func @alias(%x: tensor<?x3xf32> {nn.input = @x}, %w: tensor<3x3xf32> {nn.param = @w},
                   %v: tensor<3x3xf32> {nn.param = @v}) -> (tensor<?x3xf32> {nn.output = "y"}) {
    %a = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32>
    %r = nn.reshape %a {shape = array<i64: -1, 3, 1>} : tensor<?x3xf32> -> tensor<?x3x1xf32>
    %b = nn.matmul %x, %v : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32>
    %s = nn.reduce_sum %r {axes = array<i64: 2>} : tensor<?x3x1xf32> -> tensor<?x3xf32>
    %y = nn.add %s, %b : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
    return %y : tensor<?x3xf32>
  }
  func.func @small(%w: tensor<3x3xf32> {nn.param = @w}) -> (tensor<3x3xf32> {nn.output = "y"}) {
    %a = nn.matmul %w, %w : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
    %b = nn.matmul %a, %w : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
    %c = nn.matmul %b, %w : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
    %y = nn.matmul %c, %w : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
    return %y : tensor<3x3xf32>
  }
}
