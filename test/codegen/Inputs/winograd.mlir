// Convolutions that Winograd.cpp computes (test/codegen/winograd.test; reference in
// winograd_ref.py), and one it leaves to the direct schedule (y6: 25 output positions,
// 39% of the 8x8 that F(4x4, 3x3)'s whole tiles cover; y9's 49 are 77% of F(2x2, 5x5)'s
// 8x8, so it is Winograd's).
module attributes {nn.model = "wino"} {
  nn.input @x1 {dims = ["B", "", "", ""]} : tensor<?x13x13x24xf32>
  nn.input @w1 {dims = ["", "", "", ""]} : tensor<3x3x24x40xf32>
  nn.input @b1 {dims = [""]} : tensor<40xf32>
  nn.input @x2 {dims = ["B", "", "", ""]} : tensor<?x11x10x16xf32>
  nn.input @w2 {dims = ["", "", "", ""]} : tensor<3x3x16x32xf32>
  nn.input @x3 {dims = ["B", "", "", ""]} : tensor<?x9x11x16xf32>
  nn.input @w3 {dims = ["", "", "", ""]} : tensor<5x5x16x16xf32>
  nn.input @x4 {dims = ["B", "", "", ""]} : tensor<?x9x8x32xf32>
  nn.input @w4 {dims = ["", "", "", ""]} : tensor<3x3x32x16xf32>
  nn.input @x5 {dims = ["B", "", "", ""]} : tensor<?x8x8x16xf32>
  nn.input @w5 {dims = ["", "", "", ""]} : tensor<5x5x16x24xf32>
  nn.input @x6 {dims = ["B", "", "", ""]} : tensor<?x5x5x16xf32>
  nn.input @w6 {dims = ["", "", "", ""]} : tensor<3x3x16x16xf32>
  nn.input @x9 {dims = ["B", "", "", ""]} : tensor<?x7x7x16xf32>
  nn.input @w9 {dims = ["", "", "", ""]} : tensor<5x5x16x16xf32>
  func.func @infer(%x1: tensor<?x13x13x24xf32> {nn.input = @x1}, %w1: tensor<3x3x24x40xf32> {nn.input = @w1},
                   %b1: tensor<40xf32> {nn.input = @b1},
                   %x2: tensor<?x11x10x16xf32> {nn.input = @x2}, %w2: tensor<3x3x16x32xf32> {nn.input = @w2},
                   %x3: tensor<?x9x11x16xf32> {nn.input = @x3}, %w3: tensor<5x5x16x16xf32> {nn.input = @w3},
                   %x4: tensor<?x9x8x32xf32> {nn.input = @x4}, %w4: tensor<3x3x32x16xf32> {nn.input = @w4},
                   %x5: tensor<?x8x8x16xf32> {nn.input = @x5}, %w5: tensor<5x5x16x24xf32> {nn.input = @w5},
                   %x6: tensor<?x5x5x16xf32> {nn.input = @x6}, %w6: tensor<3x3x16x16xf32> {nn.input = @w6},
                   %x9: tensor<?x7x7x16xf32> {nn.input = @x9}, %w9: tensor<5x5x16x16xf32> {nn.input = @w9})
      -> (tensor<?x13x13x40xf32> {nn.output = "y1"}, tensor<?x9x8x32xf32> {nn.output = "y2"},
          tensor<?x9x11x16xf32> {nn.output = "y3"}, tensor<?x11x10x16xf32> {nn.output = "y4"},
          tensor<?x8x8x24xf32> {nn.output = "y5"}, tensor<?x5x5x16xf32> {nn.output = "y6"},
          tensor<?x7x7x16xf32> {nn.output = "y9"}) {
    %c1 = nn.conv2d %x1, %w1 {padding = "same"} : (tensor<?x13x13x24xf32>, tensor<3x3x24x40xf32>) -> tensor<?x13x13x40xf32>
    %a1 = nn.add %c1, %b1 : (tensor<?x13x13x40xf32>, tensor<40xf32>) -> tensor<?x13x13x40xf32>
    %zero = nn.constant dense<0.000000e+00> : tensor<f32>
    %y1 = nn.max %a1, %zero : (tensor<?x13x13x40xf32>, tensor<f32>) -> tensor<?x13x13x40xf32>
    %y2 = nn.conv2d %x2, %w2 : (tensor<?x11x10x16xf32>, tensor<3x3x16x32xf32>) -> tensor<?x9x8x32xf32>
    %y3 = nn.conv2d %x3, %w3 {padding = "same"} : (tensor<?x9x11x16xf32>, tensor<5x5x16x16xf32>) -> tensor<?x9x11x16xf32>
    %y4 = nn.conv2d_transpose %x4, %w4 {output_shape = array<i64: 11, 10>} : (tensor<?x9x8x32xf32>, tensor<3x3x32x16xf32>) -> tensor<?x11x10x16xf32>
    %y5 = nn.conv2d_transpose %x5, %w5 {output_shape = array<i64: 8, 8>, padding = "same"} : (tensor<?x8x8x16xf32>, tensor<5x5x16x24xf32>) -> tensor<?x8x8x24xf32>
    %y6 = nn.conv2d %x6, %w6 {padding = "same"} : (tensor<?x5x5x16xf32>, tensor<3x3x16x16xf32>) -> tensor<?x5x5x16xf32>
    %y9 = nn.conv2d %x9, %w9 {padding = "same"} : (tensor<?x7x7x16xf32>, tensor<5x5x16x16xf32>) -> tensor<?x7x7x16xf32>
    return %y1, %y2, %y3, %y4, %y5, %y6, %y9 : tensor<?x13x13x40xf32>, tensor<?x9x8x32xf32>, tensor<?x9x11x16xf32>, tensor<?x11x10x16xf32>, tensor<?x8x8x24xf32>, tensor<?x5x5x16xf32>, tensor<?x7x7x16xf32>
  }
}
