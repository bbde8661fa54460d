// The products of causal-zeros.test: a lower-triangular p (lhs_lower = 0, as
// nn-causal-zeros marks causal attention's probabilities) times v, and transposed times
// d; q (lhs_lower = 3: zero where the column exceeds the row + 3) times v; and a
// [64, 1030] lhs (lhs_lower = 5) times [1030, 64], a shape split-K would take (it keeps
// the tiled schedule: Halide 14 could not bound its chunks' copies).
module attributes {nn.model = "cz"} {
  nn.input @p {dims = ["B", "", "", ""]} : tensor<?x2x19x19xf32>
  nn.input @q {dims = ["B", "", "", ""]} : tensor<?x2x19x19xf32>
  nn.input @v {dims = ["B", "", "", ""]} : tensor<?x2x19x8xf32>
  nn.input @d {dims = ["B", "", "", ""]} : tensor<?x2x19x8xf32>
  nn.input @l {dims = ["", ""]} : tensor<64x1030xf32>
  nn.input @r {dims = ["", ""]} : tensor<1030x64xf32>
  func.func @infer(%p: tensor<?x2x19x19xf32> {nn.input = @p}, %q: tensor<?x2x19x19xf32> {nn.input = @q},
                   %v: tensor<?x2x19x8xf32> {nn.input = @v}, %d: tensor<?x2x19x8xf32> {nn.input = @d},
                   %l: tensor<64x1030xf32> {nn.input = @l}, %r: tensor<1030x64xf32> {nn.input = @r})
      -> (tensor<?x2x19x8xf32> {nn.output = "o"}, tensor<?x2x19x8xf32> {nn.output = "g"},
          tensor<?x2x19x8xf32> {nn.output = "s"}, tensor<64x64xf32> {nn.output = "k"}) {
    %o = nn.matmul %p, %v {lhs_lower = 0 : i64} : (tensor<?x2x19x19xf32>, tensor<?x2x19x8xf32>) -> tensor<?x2x19x8xf32>
    %g = nn.matmul %p, %d {lhs_lower = 0 : i64, transpose_lhs = true} : (tensor<?x2x19x19xf32>, tensor<?x2x19x8xf32>) -> tensor<?x2x19x8xf32>
    %s = nn.matmul %q, %v {lhs_lower = 3 : i64} : (tensor<?x2x19x19xf32>, tensor<?x2x19x8xf32>) -> tensor<?x2x19x8xf32>
    %k = nn.matmul %l, %r {lhs_lower = 5 : i64} : (tensor<64x1030xf32>, tensor<1030x64xf32>) -> tensor<64x64xf32>
    return %o, %g, %s, %k : tensor<?x2x19x8xf32>, tensor<?x2x19x8xf32>, tensor<?x2x19x8xf32>, tensor<64x64xf32>
  }
}
