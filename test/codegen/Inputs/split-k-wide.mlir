// A split-K product whose rhs rows are 512 floats (2 KB apart per term, past
// SplitKInPlaceStride): split-k.test checks that its chunks copy the rhs panel.
module attributes {nn.model = "splitkwide"} {
  nn.input @x {dims = ["K", ""]} : tensor<?x64xf32>
  nn.input @g {dims = ["K", ""]} : tensor<?x512xf32>
  func.func @infer(%x: tensor<?x64xf32> {nn.input = @x}, %g: tensor<?x512xf32> {nn.input = @g})
      -> (tensor<64x512xf32> {nn.output = "y"}) {
    %y = nn.matmul %x, %g {transpose_lhs = true} : (tensor<?x64xf32>, tensor<?x512xf32>) -> tensor<64x512xf32>
    return %y : tensor<64x512xf32>
  }
}
