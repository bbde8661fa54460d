// Reshaping [B, 6] to [-1, 4] gives a dim of (B*6)/4 rows: not a number times a
// product of symbols (and not even a whole number when B is odd).
module attributes {nn.model = "bad"} {
  nn.input @x {dims = ["B", ""]} : tensor<?x6xf32>
  func.func @infer(%x: tensor<?x6xf32> {nn.input = @x}) -> tensor<?x4xf32> {
    %p = nn.reshape %x {shape = array<i64: -1, 4>} : tensor<?x6xf32> -> tensor<?x4xf32>
    %r = nn.relu %p : (tensor<?x4xf32>) -> tensor<?x4xf32>
    return %r : tensor<?x4xf32>
  }
}
