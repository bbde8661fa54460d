// The products of staged-panels.test: weight gradients x^T g over a dynamic row count K
// with an update epilogue of several results (y1, y2 beside the product y0), one with
// long output rows ([20, 4100]: 16 KB and more) and one with short ones ([20, 70]).
module attributes {nn.model = "staged"} {
  nn.input @x {dims = ["K", ""]} : tensor<?x20xf32>
  nn.input @g {dims = ["K", ""]} : tensor<?x4100xf32>
  nn.input @w {dims = ["", ""]} : tensor<20x4100xf32>
  func.func @infer(%x: tensor<?x20xf32> {nn.input = @x}, %g: tensor<?x4100xf32> {nn.input = @g},
                   %w: tensor<20x4100xf32> {nn.input = @w})
      -> (tensor<20x4100xf32> {nn.output = "y0"}, tensor<20x4100xf32> {nn.output = "y1"},
          tensor<20x4100xf32> {nn.output = "y2"}) {
    %y0 = nn.matmul %x, %g {transpose_lhs = true} : (tensor<?x20xf32>, tensor<?x4100xf32>) -> tensor<20x4100xf32>
    %y1 = nn.sub %w, %y0 : (tensor<20x4100xf32>, tensor<20x4100xf32>) -> tensor<20x4100xf32>
    %y2 = nn.add %w, %y0 : (tensor<20x4100xf32>, tensor<20x4100xf32>) -> tensor<20x4100xf32>
    return %y0, %y1, %y2 : tensor<20x4100xf32>, tensor<20x4100xf32>, tensor<20x4100xf32>
  }
}
