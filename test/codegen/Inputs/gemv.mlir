// The products of gemv.test: a dynamic row count times a 1748 x 300 rhs (2 MB: packed
// into panels for 8 rows or more, read in place below), and that result times the
// rhs transposed (always packed, k = 300 in blocks of 128 terms).
module attributes {nn.model = "gemv"} {
  nn.input @x {dims = ["B", ""]} : tensor<?x1748xf32>
  nn.input @w {dims = ["", ""]} : tensor<1748x300xf32>
  func.func @infer(%x: tensor<?x1748xf32> {nn.input = @x}, %w: tensor<1748x300xf32> {nn.input = @w})
      -> (tensor<?x300xf32> {nn.output = "y"}, tensor<?x1748xf32> {nn.output = "z"}) {
    %y = nn.matmul %x, %w : (tensor<?x1748xf32>, tensor<1748x300xf32>) -> tensor<?x300xf32>
    %z = nn.matmul %y, %w {transpose_rhs = true} : (tensor<?x300xf32>, tensor<1748x300xf32>) -> tensor<?x1748xf32>
    return %y, %z : tensor<?x300xf32>, tensor<?x1748xf32>
  }
}
