// gather and scatter_add one op at a time (test/e2e/gather-ops.test): ids with repeats
// and ids outside the table, a dynamic batch, a gather fused with a consumer (tanh), and
// a row of 520 floats (the scatter's parallel slices of 256 and a tail of 8).
// The entry is not `infer`: the driver would read ids outside [0, 5) as labels outside
// the 5 "classes" of its first output.
module attributes {nn.model = "gatherops"} {
  nn.input @t {dims = ["", ""]} : tensor<7x5xf32>
  nn.input @ids {dims = ["B", ""]} : tensor<?x6xi32>
  nn.input @g {dims = ["B", "", ""]} : tensor<?x6x5xf32>
  nn.input @tw {dims = ["", ""]} : tensor<4x520xf32>
  nn.input @idw {dims = ["", ""]} : tensor<2x3xi32>
  nn.input @gw {dims = ["", "", ""]} : tensor<2x3x520xf32>
  func.func @ops(%t: tensor<7x5xf32> {nn.input = @t}, %ids: tensor<?x6xi32> {nn.input = @ids},
                   %g: tensor<?x6x5xf32> {nn.input = @g}, %tw: tensor<4x520xf32> {nn.input = @tw},
                   %idw: tensor<2x3xi32> {nn.input = @idw}, %gw: tensor<2x3x520xf32> {nn.input = @gw})
      -> (tensor<?x6x5xf32> {nn.output = "gather"}, tensor<?x6x5xf32> {nn.output = "gather_tanh"},
          tensor<7x5xf32> {nn.output = "scatter"}, tensor<2x3x520xf32> {nn.output = "gather_wide"},
          tensor<4x520xf32> {nn.output = "scatter_wide"}) {
    %0 = nn.gather %t, %ids : (tensor<7x5xf32>, tensor<?x6xi32>) -> tensor<?x6x5xf32>
    %1 = nn.tanh %0 : (tensor<?x6x5xf32>) -> tensor<?x6x5xf32>
    %2 = nn.scatter_add %g, %ids {rows = 7} : (tensor<?x6x5xf32>, tensor<?x6xi32>) -> tensor<7x5xf32>
    %3 = nn.gather %tw, %idw : (tensor<4x520xf32>, tensor<2x3xi32>) -> tensor<2x3x520xf32>
    %4 = nn.scatter_add %gw, %idw {rows = 4} : (tensor<2x3x520xf32>, tensor<2x3xi32>) -> tensor<4x520xf32>
    return %0, %1, %2, %3, %4 : tensor<?x6x5xf32>, tensor<?x6x5xf32>, tensor<7x5xf32>,
        tensor<2x3x520xf32>, tensor<4x520xf32>
  }
}
