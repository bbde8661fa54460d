// RUN: nn-opt %s --split-input-file --verify-diagnostics
// Tests that nn.kernel checks its block arguments against its inputs and its yield
// against its results, and that nn.yield only terminates kernels and loops.

// Tests that a kernel needs one block argument per input.
func.func @kernel_arg_count(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.kernel' op has 1 block arguments for 2 inputs}}
  %k = nn.kernel "k"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %0 = nn.neg %a : (tensor<4xf32>) -> tensor<4xf32>
    nn.yield %0 : tensor<4xf32>
  }
  return %k : tensor<4xf32>
}

// -----

// Tests that block argument types equal the input types exactly (not just compatible).
func.func @kernel_arg_type(%x: tensor<4xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{'nn.kernel' op block argument type 'tensor<?xf32>' differs from input type 'tensor<4xf32>'}}
  %k = nn.kernel "k"(%x) : (tensor<4xf32>) -> tensor<?xf32> {
  ^bb0(%a: tensor<?xf32>):
    %0 = nn.neg %a : (tensor<?xf32>) -> tensor<?xf32>
    nn.yield %0 : tensor<?xf32>
  }
  return %k : tensor<?xf32>
}

// -----

// Tests that the yielded types must be compatible with the declared results.
func.func @kernel_yield_type(%x: tensor<4xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'nn.kernel' op yields 'tensor<4xf32>' but declares results 'tensor<3xf32>'}}
  %k = nn.kernel "k"(%x) : (tensor<4xf32>) -> tensor<3xf32> {
  ^bb0(%a: tensor<4xf32>):
    %0 = nn.neg %a : (tensor<4xf32>) -> tensor<4xf32>
    nn.yield %0 : tensor<4xf32>
  }
  return %k : tensor<3xf32>
}

// -----

// Tests that the yielded values must match the declared results in number.
func.func @kernel_yield_count(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.kernel' op yields 'tensor<4xf32>', 'tensor<4xf32>' but declares results 'tensor<4xf32>'}}
  %k = nn.kernel "k"(%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    nn.yield %a, %a : tensor<4xf32>, tensor<4xf32>
  }
  return %k : tensor<4xf32>
}

// -----

// Tests that a missing yield is an empty implicit yield, which does not match a result.
func.func @kernel_missing_yield(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.kernel' op yields  but declares results 'tensor<4xf32>'}}
  %k = nn.kernel "k"(%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
  }
  return %k : tensor<4xf32>
}

// -----

// Tests that a kernel is isolated from above: its body reads only its block arguments.
func.func @kernel_captures(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-note @+1 {{required by region isolation constraints}}
  %k = nn.kernel "k"() : () -> tensor<4xf32> {
    // expected-error @+1 {{using value defined outside the region}}
    %0 = nn.neg %x : (tensor<4xf32>) -> tensor<4xf32>
    nn.yield %0 : tensor<4xf32>
  }
  return %k : tensor<4xf32>
}

// -----

// Tests that nn.yield is only valid inside nn.kernel.
func.func @yield_outside(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.yield' op expects parent op to be one of 'nn.kernel, nn.scan'}}
  nn.yield %x : tensor<4xf32>
}

// -----

// Tests that a kernel needs its name.
func.func @kernel_no_name(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.kernel' op requires attribute 'name'}}
  %k = "nn.kernel"(%x) ({
  ^bb0(%a: tensor<4xf32>):
    "nn.yield"(%a) : (tensor<4xf32>) -> ()
  }) : (tensor<4xf32>) -> tensor<4xf32>
  return %k : tensor<4xf32>
}

// -----

// Tests that the ops inside a kernel are verified too.
func.func @kernel_body_verified(%x: tensor<4xf32>) -> tensor<5xf32> {
  %k = nn.kernel "k"(%x) : (tensor<4xf32>) -> tensor<5xf32> {
  ^bb0(%a: tensor<4xf32>):
    // expected-error @+2 {{'nn.exp' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<5xf32>'}}
    // expected-error @+1 {{failed to infer returned types}}
    %0 = nn.exp %a : (tensor<4xf32>) -> tensor<5xf32>
    nn.yield %0 : tensor<5xf32>
  }
  return %k : tensor<5xf32>
}
