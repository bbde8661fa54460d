// The products of split-k.test: weight gradients x^T g over a dynamic row count K, with
// a small static output ([64, 64]; y1 with an update epilogue of several results).
module attributes {nn.model = "splitk"} {
  nn.input @x {dims = ["K", ""]} : tensor<?x64xf32>
  nn.input @g {dims = ["K", ""]} : tensor<?x64xf32>
  nn.input @w {dims = ["", ""]} : tensor<64x64xf32>
  func.func @infer(%x: tensor<?x64xf32> {nn.input = @x}, %g: tensor<?x64xf32> {nn.input = @g},
                   %w: tensor<64x64xf32> {nn.input = @w})
      -> (tensor<64x64xf32> {nn.output = "y0"}, tensor<64x64xf32> {nn.output = "y1"},
          tensor<64x64xf32> {nn.output = "y2"}) {
    %y0 = nn.matmul %x, %g {transpose_lhs = true} : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<64x64xf32>
    %y1 = nn.sub %w, %y0 : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>
    %y2 = nn.add %w, %y0 : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>
    return %y0, %y1, %y2 : tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>
  }
}
