// The reductions of row-reduction.test: along a row of 96 adjacent elements (a sum to
// [B], a maximum kept as [B, 1], a sum of the row minus its maximum, as softmax's) and
// over a whole static vector of 64 (a scalar).
module attributes {nn.model = "rowred"} {
  nn.input @x {dims = ["B", ""]} : tensor<?x96xf32>
  nn.input @v {dims = [""]} : tensor<64xf32>
  func.func @infer(%x: tensor<?x96xf32> {nn.input = @x}, %v: tensor<64xf32> {nn.input = @v})
      -> (tensor<?xf32> {nn.output = "s"}, tensor<?x1xf32> {nn.output = "m"},
          tensor<?x1xf32> {nn.output = "c"}, tensor<f32> {nn.output = "t"}) {
    %s = nn.reduce_sum %x {axes = array<i64: 1>} : tensor<?x96xf32> -> tensor<?xf32>
    %m = nn.reduce_max %x {axes = array<i64: 1>, keepdims = true} : tensor<?x96xf32> -> tensor<?x1xf32>
    %d = nn.sub %x, %m : (tensor<?x96xf32>, tensor<?x1xf32>) -> tensor<?x96xf32>
    %c = nn.reduce_sum %d {axes = array<i64: 1>, keepdims = true} : tensor<?x96xf32> -> tensor<?x1xf32>
    %t = nn.reduce_sum %v {axes = array<i64: 0>} : tensor<64xf32> -> tensor<f32>
    return %s, %m, %c, %t : tensor<?xf32>, tensor<?x1xf32>, tensor<?x1xf32>, tensor<f32>
  }
}
