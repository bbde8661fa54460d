// Strided transposed convolutions computed in phases (test/codegen/conv-transpose.test;
// shapes and reference in conv_transpose_ref.py).
module attributes {nn.model = "convt"} {
  nn.input @x1 {dims = ["B", "", "", ""]} : tensor<?x7x7x24xf32>
  nn.input @w1 {dims = ["", "", "", ""]} : tensor<5x5x24x40xf32>
  nn.input @b1 {dims = [""]} : tensor<40xf32>
  nn.input @x2 {dims = ["B", "", "", ""]} : tensor<?x4x4x8xf32>
  nn.input @w2 {dims = ["", "", "", ""]} : tensor<4x4x8x20xf32>
  nn.input @x3 {dims = ["B", "", "", ""]} : tensor<?x4x4x8xf32>
  nn.input @w3 {dims = ["", "", "", ""]} : tensor<5x5x8x16xf32>
  nn.input @x4 {dims = ["B", "", "", ""]} : tensor<?x4x4x8xf32>
  nn.input @w4 {dims = ["", "", "", ""]} : tensor<3x3x8x16xf32>
  nn.input @x5 {dims = ["B", "", "", ""]} : tensor<?x13x13x16xf32>
  nn.input @w5 {dims = ["", "", "", ""]} : tensor<3x3x16x32xf32>
  func.func @infer(%x1: tensor<?x7x7x24xf32> {nn.input = @x1}, %w1: tensor<5x5x24x40xf32> {nn.input = @w1},
                   %b1: tensor<40xf32> {nn.input = @b1},
                   %x2: tensor<?x4x4x8xf32> {nn.input = @x2}, %w2: tensor<4x4x8x20xf32> {nn.input = @w2},
                   %x3: tensor<?x4x4x8xf32> {nn.input = @x3}, %w3: tensor<5x5x8x16xf32> {nn.input = @w3},
                   %x4: tensor<?x4x4x8xf32> {nn.input = @x4}, %w4: tensor<3x3x8x16xf32> {nn.input = @w4},
                   %x5: tensor<?x13x13x16xf32> {nn.input = @x5}, %w5: tensor<3x3x16x32xf32> {nn.input = @w5})
      -> (tensor<?x14x14x40xf32> {nn.output = "y1"}, tensor<?x8x8x20xf32> {nn.output = "y2"},
          tensor<?x11x12x16xf32> {nn.output = "y3"}, tensor<?x7x7x16xf32> {nn.output = "y4"},
          tensor<?x15x15x32xf32> {nn.output = "y5"}) {
    %c1 = nn.conv2d_transpose %x1, %w1 {output_shape = array<i64: 14, 14>, stride = array<i64: 2>, padding = "same"} : (tensor<?x7x7x24xf32>, tensor<5x5x24x40xf32>) -> tensor<?x14x14x40xf32>
    %a1 = nn.add %c1, %b1 : (tensor<?x14x14x40xf32>, tensor<40xf32>) -> tensor<?x14x14x40xf32>
    %zero = nn.constant dense<0.000000e+00> : tensor<f32>
    %pos = nn.max %a1, %zero : (tensor<?x14x14x40xf32>, tensor<f32>) -> tensor<?x14x14x40xf32>
    %neg = nn.min %a1, %zero : (tensor<?x14x14x40xf32>, tensor<f32>) -> tensor<?x14x14x40xf32>
    %slope = nn.constant dense<2.500000e-01> : tensor<f32>
    %scaled = nn.mul %slope, %neg : (tensor<f32>, tensor<?x14x14x40xf32>) -> tensor<?x14x14x40xf32>
    %y1 = nn.add %pos, %scaled : (tensor<?x14x14x40xf32>, tensor<?x14x14x40xf32>) -> tensor<?x14x14x40xf32>
    %y2 = nn.conv2d_transpose %x2, %w2 {output_shape = array<i64: 8, 8>, stride = array<i64: 2>, padding = "same"} : (tensor<?x4x4x8xf32>, tensor<4x4x8x20xf32>) -> tensor<?x8x8x20xf32>
    %y3 = nn.conv2d_transpose %x3, %w3 {output_shape = array<i64: 11, 12>, stride = array<i64: 3>, padding = "same"} : (tensor<?x4x4x8xf32>, tensor<5x5x8x16xf32>) -> tensor<?x11x12x16xf32>
    %y4 = nn.conv2d_transpose %x4, %w4 {output_shape = array<i64: 7, 7>, stride = array<i64: 2>, padding = "same"} : (tensor<?x4x4x8xf32>, tensor<3x3x8x16xf32>) -> tensor<?x7x7x16xf32>
    %y5 = nn.conv2d_transpose %x5, %w5 {output_shape = array<i64: 15, 15>} : (tensor<?x13x13x16xf32>, tensor<3x3x16x32xf32>) -> tensor<?x15x15x32xf32>
    return %y1, %y2, %y3, %y4, %y5 : tensor<?x14x14x40xf32>, tensor<?x8x8x20xf32>, tensor<?x11x12x16xf32>, tensor<?x7x7x16xf32>, tensor<?x15x15x32xf32>
  }
}
