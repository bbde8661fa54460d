// Convolutions that get the CPU schedules of codegen/ScheduleConv.cpp other than rows of
// register tiles (test/codegen/conv-schedules.test; reference in conv_schedules_ref.py).
module attributes {nn.model = "convsched"} {
  nn.input @x1 {dims = ["B", "", "", ""]} : tensor<?x10x10x40xf32>
  nn.input @w1 {dims = ["", "", "", ""]} : tensor<5x5x40x40xf32>
  nn.input @b1 {dims = [""]} : tensor<40xf32>
  nn.input @x2 {dims = ["B", "", "", ""]} : tensor<?x9x12x32xf32>
  nn.input @w2 {dims = ["", "", "", ""]} : tensor<3x3x32x64xf32>
  nn.input @x3 {dims = ["B", "", "", ""]} : tensor<?x48x16x32xf32>
  nn.input @w3 {dims = ["", "", "", ""]} : tensor<3x3x32x32xf32>
  nn.input @x4 {dims = ["B", "", "", ""]} : tensor<?x10x10x32xf32>
  nn.input @w4 {dims = ["", "", "", ""]} : tensor<5x5x32x1xf32>
  nn.input @g5 {dims = ["B", "", "", ""]} : tensor<?x7x10x1xf32>
  nn.input @x6 {dims = ["B", "", "", ""]} : tensor<?x6x6x20xf32>
  nn.input @w6 {dims = ["", "", "", ""]} : tensor<3x3x20x1xf32>
  nn.input @x7 {dims = ["B", "", "", ""]} : tensor<?x9x12x2xf32>
  nn.input @g7 {dims = ["B", "", "", ""]} : tensor<?x5x8x32xf32>
  func.func @infer(%x1: tensor<?x10x10x40xf32> {nn.input = @x1}, %w1: tensor<5x5x40x40xf32> {nn.input = @w1},
                   %b1: tensor<40xf32> {nn.input = @b1},
                   %x2: tensor<?x9x12x32xf32> {nn.input = @x2}, %w2: tensor<3x3x32x64xf32> {nn.input = @w2},
                   %x3: tensor<?x48x16x32xf32> {nn.input = @x3}, %w3: tensor<3x3x32x32xf32> {nn.input = @w3},
                   %x4: tensor<?x10x10x32xf32> {nn.input = @x4}, %w4: tensor<5x5x32x1xf32> {nn.input = @w4},
                   %g5: tensor<?x7x10x1xf32> {nn.input = @g5},
                   %x6: tensor<?x6x6x20xf32> {nn.input = @x6}, %w6: tensor<3x3x20x1xf32> {nn.input = @w6},
                   %x7: tensor<?x9x12x2xf32> {nn.input = @x7}, %g7: tensor<?x5x8x32xf32> {nn.input = @g7})
      -> (tensor<?x5x5x40xf32> {nn.output = "y1"}, tensor<?x7x10x64xf32> {nn.output = "y2"},
          tensor<?x48x16x32xf32> {nn.output = "y3"}, tensor<?x10x10x1xf32> {nn.output = "y4"},
          tensor<3x3x32x1xf32> {nn.output = "y5"}, tensor<?x6x6x1xf32> {nn.output = "y6"},
          tensor<5x5x2x32xf32> {nn.output = "y7"}) {
    %c1 = nn.conv2d %x1, %w1 {stride = array<i64: 2>, padding = "same"} : (tensor<?x10x10x40xf32>, tensor<5x5x40x40xf32>) -> tensor<?x5x5x40xf32>
    %a1 = nn.add %c1, %b1 : (tensor<?x5x5x40xf32>, tensor<40xf32>) -> tensor<?x5x5x40xf32>
    %zero = nn.constant dense<0.000000e+00> : tensor<f32>
    %y1 = nn.max %a1, %zero : (tensor<?x5x5x40xf32>, tensor<f32>) -> tensor<?x5x5x40xf32>
    %y2 = nn.conv2d %x2, %w2 : (tensor<?x9x12x32xf32>, tensor<3x3x32x64xf32>) -> tensor<?x7x10x64xf32>
    %y3 = nn.conv2d %x3, %w3 {padding = "same"} : (tensor<?x48x16x32xf32>, tensor<3x3x32x32xf32>) -> tensor<?x48x16x32xf32>
    %y4 = nn.conv2d %x4, %w4 {padding = "same"} : (tensor<?x10x10x32xf32>, tensor<5x5x32x1xf32>) -> tensor<?x10x10x1xf32>
    %y5 = nn.conv2d_filter_grad %x2, %g5 {kernel = array<i64: 3, 3>} : (tensor<?x9x12x32xf32>, tensor<?x7x10x1xf32>) -> tensor<3x3x32x1xf32>
    %y6 = nn.conv2d %x6, %w6 {padding = "same"} : (tensor<?x6x6x20xf32>, tensor<3x3x20x1xf32>) -> tensor<?x6x6x1xf32>
    %y7 = nn.conv2d_filter_grad %x7, %g7 {kernel = array<i64: 5, 5>} : (tensor<?x9x12x2xf32>, tensor<?x5x8x32xf32>) -> tensor<5x5x2x32xf32>
    return %y1, %y2, %y3, %y4, %y5, %y6, %y7 : tensor<?x5x5x40xf32>, tensor<?x7x10x64xf32>, tensor<?x48x16x32xf32>, tensor<?x10x10x1xf32>, tensor<3x3x32x1xf32>, tensor<?x6x6x1xf32>, tensor<5x5x2x32xf32>
  }
}
