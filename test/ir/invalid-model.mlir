// RUN: nn-opt %s --split-input-file --verify-diagnostics
// Tests that nn.input and nn.variable declarations reject types and attributes the model
// cannot bind.

// Tests that an input must be ranked.
// expected-error @+1 {{'nn.input' op input type must be ranked, got 'tensor<*xf32>'}}
nn.input @x {dims = []} : tensor<*xf32>

// -----

// Tests that an input needs one dim name per dim.
// expected-error @+1 {{'nn.input' op has 1 dim names for rank 2}}
nn.input @x {dims = ["B"]} : tensor<?x4xf32>

// -----

// Tests that a static input dim may not carry a symbol name.
// expected-error @+1 {{'nn.input' op dim 1 is static but has a symbol name}}
nn.input @x {dims = ["B", "N"]} : tensor<?x4xf32>

// -----

// Tests that a dynamic input dim needs a symbol name.
// expected-error @+1 {{'nn.input' op dim 0 is dynamic but has no symbol name}}
nn.input @x {dims = ["", ""]} : tensor<?x4xf32>

// -----

// Tests that an input's element type is f32 or i32.
// expected-error @+1 {{'nn.input' op attribute 'type' failed to satisfy constraint: type attribute of tensor of 32-bit float or 32-bit signless integer values}}
nn.input @x {dims = [""]} : tensor<4xf64>

// -----

// Tests that an input needs its dims attribute.
// expected-error @+1 {{'nn.input' op requires attribute 'dims'}}
nn.input @x : tensor<4xf32>

// -----

// Tests that a variable must have a static shape.
// expected-error @+1 {{'nn.variable' op variable type must have a static shape, got 'tensor<?x4xf32>'}}
nn.variable @w {init = "zeros"} : tensor<?x4xf32>

// -----

// Tests that a variable must be ranked.
// expected-error @+1 {{'nn.variable' op variable type must have a static shape, got 'tensor<*xf32>'}}
nn.variable @w {init = "zeros"} : tensor<*xf32>

// -----

// Tests that a variable's initializer must be a known one.
// expected-error @+1 {{'nn.variable' op unknown initializer 'xavier'}}
nn.variable @w {init = "xavier"} : tensor<4x4xf32>

// -----

// Tests that a variable needs an initializer.
// expected-error @+1 {{'nn.variable' op requires attribute 'init'}}
nn.variable @w : tensor<4x4xf32>
