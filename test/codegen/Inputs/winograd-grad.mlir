// Filter gradients that Winograd.cpp computes (test/codegen/winograd.test; reference in
// winograd_ref.py, mode "grad").
module attributes {nn.model = "winograd"} {
  nn.input @x7 {dims = ["B", "", "", ""]} : tensor<?x11x10x16xf32>
  nn.input @g7 {dims = ["B", "", "", ""]} : tensor<?x9x8x32xf32>
  nn.input @x8 {dims = ["B", "", "", ""]} : tensor<?x9x11x16xf32>
  nn.input @g8 {dims = ["B", "", "", ""]} : tensor<?x9x11x16xf32>
  func.func @infer(%x7: tensor<?x11x10x16xf32> {nn.input = @x7}, %g7: tensor<?x9x8x32xf32> {nn.input = @g7},
                   %x8: tensor<?x9x11x16xf32> {nn.input = @x8}, %g8: tensor<?x9x11x16xf32> {nn.input = @g8})
      -> (tensor<3x3x16x32xf32> {nn.output = "y7"}, tensor<5x5x16x16xf32> {nn.output = "y8"}) {
    %y7 = nn.conv2d_filter_grad %x7, %g7 {kernel = array<i64: 3, 3>} : (tensor<?x11x10x16xf32>, tensor<?x9x8x32xf32>) -> tensor<3x3x16x32xf32>
    %y8 = nn.conv2d_filter_grad %x8, %g8 {kernel = array<i64: 5, 5>, padding = "same"} : (tensor<?x9x11x16xf32>, tensor<?x9x11x16xf32>) -> tensor<5x5x16x16xf32>
    return %y7, %y8 : tensor<3x3x16x32xf32>, tensor<5x5x16x16xf32>
  }
}
