// Flattening [B, 4, 6] to one dim gives a dim of B*24 elements.
module attributes {nn.model = "bad"} {
  nn.input @x {dims = ["B", "", ""]} : tensor<?x4x6xf32>
  func.func @infer(%x: tensor<?x4x6xf32> {nn.input = @x}) -> tensor<?xf32> {
    %f = nn.reshape %x {shape = array<i64: -1>} : tensor<?x4x6xf32> -> tensor<?xf32>
    %r = nn.relu %f : (tensor<?xf32>) -> tensor<?xf32>
    return %r : tensor<?xf32>
  }
}
