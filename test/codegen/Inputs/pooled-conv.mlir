// Convolutions whose results only a max pool reads (passes/Fuse.cpp's poolsConvolution;
// test/codegen/pooled-conv.test; reference in pooled_conv_ref.py): y1 a "valid" 3x3
// conv with bias and ReLU, 2x2 windows (7 x 8 -> 3 x 4: the last conv row and no
// column left out); y2 a "same" 3x3 conv of 16 channels, overlapping 3x3 windows at
// stride 2 (11 x 11 -> 5 x 5).
module attributes {nn.model = "pooled"} {
  nn.input @x1 {dims = ["B", "", "", ""]} : tensor<?x9x10x3xf32>
  nn.input @w1 {dims = ["", "", "", ""]} : tensor<3x3x3x32xf32>
  nn.input @b1 {dims = [""]} : tensor<32xf32>
  nn.input @x2 {dims = ["B", "", "", ""]} : tensor<?x11x11x2xf32>
  nn.input @w2 {dims = ["", "", "", ""]} : tensor<3x3x2x16xf32>
  func.func @infer(%x1: tensor<?x9x10x3xf32> {nn.input = @x1}, %w1: tensor<3x3x3x32xf32> {nn.input = @w1},
                   %b1: tensor<32xf32> {nn.input = @b1},
                   %x2: tensor<?x11x11x2xf32> {nn.input = @x2}, %w2: tensor<3x3x2x16xf32> {nn.input = @w2})
      -> (tensor<?x3x4x32xf32> {nn.output = "y1"}, tensor<?x5x5x16xf32> {nn.output = "y2"}) {
    %c1 = nn.conv2d %x1, %w1 : (tensor<?x9x10x3xf32>, tensor<3x3x3x32xf32>) -> tensor<?x7x8x32xf32>
    %a1 = nn.add %c1, %b1 : (tensor<?x7x8x32xf32>, tensor<32xf32>) -> tensor<?x7x8x32xf32>
    %zero = nn.constant dense<0.000000e+00> : tensor<f32>
    %r1 = nn.max %a1, %zero : (tensor<?x7x8x32xf32>, tensor<f32>) -> tensor<?x7x8x32xf32>
    %y1 = nn.max_pool2d %r1 {size = array<i64: 2>} : (tensor<?x7x8x32xf32>) -> tensor<?x3x4x32xf32>
    %c2 = nn.conv2d %x2, %w2 {padding = "same"} : (tensor<?x11x11x2xf32>, tensor<3x3x2x16xf32>) -> tensor<?x11x11x16xf32>
    %y2 = nn.max_pool2d %c2 {size = array<i64: 3>, stride = array<i64: 2>} : (tensor<?x11x11x16xf32>) -> tensor<?x5x5x16xf32>
    return %y1, %y2 : tensor<?x3x4x32xf32>, tensor<?x5x5x16xf32>
  }
}
