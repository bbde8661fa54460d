// A layer norm without its scale, shift and epsilon: y = (x - mean) / s and s, the root
// of the rows' mean squared deviation (test/codegen/row-loop-outputs.test).
module attributes {nn.model = "rl"} {
  nn.input @x {dims = ["B", ""]} : tensor<?x64xf32>
  func.func @infer(%x: tensor<?x64xf32> {nn.input = @x})
      -> (tensor<?x64xf32> {nn.output = "y"}, tensor<?x1xf32> {nn.output = "s"}) {
    %m = nn.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : tensor<?x64xf32> -> tensor<?x1xf32>
    %c = nn.sub %x, %m : (tensor<?x64xf32>, tensor<?x1xf32>) -> tensor<?x64xf32>
    %q = nn.mul %c, %c : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x64xf32>
    %v = nn.reduce_mean %q {axes = array<i64: 1>, keepdims = true} : tensor<?x64xf32> -> tensor<?x1xf32>
    %s = nn.sqrt %v : (tensor<?x1xf32>) -> tensor<?x1xf32>
    %y = nn.div %c, %s : (tensor<?x64xf32>, tensor<?x1xf32>) -> tensor<?x64xf32>
    return %y, %s : tensor<?x64xf32>, tensor<?x1xf32>
  }
}
