// RUN: nn-gradcheck %s | FileCheck %s
// Tests that the gradient of every broadcasting binary op matches float64 central
// differences, without broadcasting and with leading-dim, size-1 (on both sides) and
// rank-0 broadcasting, where the gradient has to be summed back to the operand's shape.
// div gets a divisor in [0.5, 2]; pow a base in [0.5, 2] (its rhs gradient is log(lhs)).

// CHECK: PASS add_same:
func.func @add_same(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.add %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: PASS add_lead:
func.func @add_lead(%a: tensor<2x3x4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.add %a, %b : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK: PASS add_ones:
func.func @add_ones(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.add %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK: PASS add_scalar_rhs:
func.func @add_scalar_rhs(%a: tensor<2x3xf32>, %b: tensor<f32>) -> tensor<2x3xf32> {
  %0 = nn.add %a, %b : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: PASS add_scalar_lhs:
func.func @add_scalar_lhs(%a: tensor<f32>, %b: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %0 = nn.add %a, %b : (tensor<f32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// CHECK: PASS add_rank0:
func.func @add_rank0(%a: tensor<f32>, %b: tensor<f32>) -> tensor<f32> {
  %0 = nn.add %a, %b : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK: PASS sub_same:
func.func @sub_same(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.sub %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: PASS sub_lead:
func.func @sub_lead(%a: tensor<2x3x4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.sub %a, %b : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK: PASS sub_ones:
func.func @sub_ones(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.sub %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK: PASS sub_scalar_rhs:
func.func @sub_scalar_rhs(%a: tensor<2x3xf32>, %b: tensor<f32>) -> tensor<2x3xf32> {
  %0 = nn.sub %a, %b : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: PASS sub_scalar_lhs:
func.func @sub_scalar_lhs(%a: tensor<f32>, %b: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %0 = nn.sub %a, %b : (tensor<f32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// CHECK: PASS sub_rank0:
func.func @sub_rank0(%a: tensor<f32>, %b: tensor<f32>) -> tensor<f32> {
  %0 = nn.sub %a, %b : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK: PASS mul_same:
func.func @mul_same(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.mul %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: PASS mul_lead:
func.func @mul_lead(%a: tensor<2x3x4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.mul %a, %b : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK: PASS mul_ones:
func.func @mul_ones(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.mul %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK: PASS mul_scalar_rhs:
func.func @mul_scalar_rhs(%a: tensor<2x3xf32>, %b: tensor<f32>) -> tensor<2x3xf32> {
  %0 = nn.mul %a, %b : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: PASS mul_scalar_lhs:
func.func @mul_scalar_lhs(%a: tensor<f32>, %b: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %0 = nn.mul %a, %b : (tensor<f32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// CHECK: PASS mul_rank0:
func.func @mul_rank0(%a: tensor<f32>, %b: tensor<f32>) -> tensor<f32> {
  %0 = nn.mul %a, %b : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK: PASS div_same:
func.func @div_same(%a: tensor<2x3xf32>, %b: tensor<2x3xf32> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64}) -> tensor<2x3xf32> {
  %0 = nn.div %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: PASS div_lead:
func.func @div_lead(%a: tensor<2x3x4xf32>, %b: tensor<4xf32> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64}) -> tensor<2x3x4xf32> {
  %0 = nn.div %a, %b : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK: PASS div_ones:
func.func @div_ones(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64}) -> tensor<2x3x4xf32> {
  %0 = nn.div %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK: PASS div_scalar_rhs:
func.func @div_scalar_rhs(%a: tensor<2x3xf32>, %b: tensor<f32> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64}) -> tensor<2x3xf32> {
  %0 = nn.div %a, %b : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: PASS div_scalar_lhs:
func.func @div_scalar_lhs(%a: tensor<f32>, %b: tensor<3x2xf32> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64}) -> tensor<3x2xf32> {
  %0 = nn.div %a, %b : (tensor<f32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// CHECK: PASS div_rank0:
func.func @div_rank0(%a: tensor<f32>, %b: tensor<f32> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64}) -> tensor<f32> {
  %0 = nn.div %a, %b : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK: PASS max_same:
func.func @max_same(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.max %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: PASS max_lead:
func.func @max_lead(%a: tensor<2x3x4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.max %a, %b : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK: PASS max_ones:
func.func @max_ones(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.max %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK: PASS max_scalar_rhs:
func.func @max_scalar_rhs(%a: tensor<2x3xf32>, %b: tensor<f32>) -> tensor<2x3xf32> {
  %0 = nn.max %a, %b : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: PASS max_scalar_lhs:
func.func @max_scalar_lhs(%a: tensor<f32>, %b: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %0 = nn.max %a, %b : (tensor<f32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// CHECK: PASS max_rank0:
func.func @max_rank0(%a: tensor<f32>, %b: tensor<f32>) -> tensor<f32> {
  %0 = nn.max %a, %b : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK: PASS min_same:
func.func @min_same(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.min %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: PASS min_lead:
func.func @min_lead(%a: tensor<2x3x4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.min %a, %b : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK: PASS min_ones:
func.func @min_ones(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.min %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK: PASS min_scalar_rhs:
func.func @min_scalar_rhs(%a: tensor<2x3xf32>, %b: tensor<f32>) -> tensor<2x3xf32> {
  %0 = nn.min %a, %b : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: PASS min_scalar_lhs:
func.func @min_scalar_lhs(%a: tensor<f32>, %b: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %0 = nn.min %a, %b : (tensor<f32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// CHECK: PASS min_rank0:
func.func @min_rank0(%a: tensor<f32>, %b: tensor<f32>) -> tensor<f32> {
  %0 = nn.min %a, %b : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK: PASS pow_same:
func.func @pow_same(%a: tensor<2x3xf32> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64}, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.pow %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: PASS pow_lead:
func.func @pow_lead(%a: tensor<2x3x4xf32> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64}, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.pow %a, %b : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK: PASS pow_ones:
func.func @pow_ones(%a: tensor<2x1x4xf32> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64}, %b: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.pow %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK: PASS pow_scalar_rhs:
func.func @pow_scalar_rhs(%a: tensor<2x3xf32> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64}, %b: tensor<f32>) -> tensor<2x3xf32> {
  %0 = nn.pow %a, %b : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: PASS pow_scalar_lhs:
func.func @pow_scalar_lhs(%a: tensor<f32> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64}, %b: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %0 = nn.pow %a, %b : (tensor<f32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// CHECK: PASS pow_rank0:
func.func @pow_rank0(%a: tensor<f32> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64}, %b: tensor<f32>) -> tensor<f32> {
  %0 = nn.pow %a, %b : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// Both operands the same value: the two operand gradients accumulate.
// CHECK: PASS mul_self:
func.func @mul_self(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.mul %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: PASS div_negative:
func.func @div_negative(%a: tensor<4xf32>, %b: tensor<4xf32> {gradcheck.min = -2.0 : f64, gradcheck.max = -0.5 : f64}) -> tensor<4xf32> {
  %0 = nn.div %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK: {{^}}44 passed, 0 failed
