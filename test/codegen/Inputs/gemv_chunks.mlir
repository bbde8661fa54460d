// The product of gemv-chunks.test: a dynamic row count times a 2102 x 512 rhs (4.3 MB,
// read in place at one row, its 2102 terms in 8 chunks of 264, the last of 254).
module attributes {nn.model = "gemvchunks"} {
  nn.input @x {dims = ["B", ""]} : tensor<?x2102xf32>
  nn.input @w {dims = ["", ""]} : tensor<2102x512xf32>
  func.func @infer(%x: tensor<?x2102xf32> {nn.input = @x}, %w: tensor<2102x512xf32> {nn.input = @w})
      -> (tensor<?x512xf32> {nn.output = "y"}) {
    %y = nn.matmul %x, %w : (tensor<?x2102xf32>, tensor<2102x512xf32>) -> tensor<?x512xf32>
    return %y : tensor<?x512xf32>
  }
}
