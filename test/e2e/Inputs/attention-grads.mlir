// Gradient kernels of attention (test/e2e/attention-ops.test): for the scores
// s = q k^T and a result gradient g, dq = g k and dk = g^T q (a transpose_lhs batched
// product, as matmul's gradient builds them), the gradient gx of a slice put back
// (slice_backward) and the two halves of a concatenation's gradient x (slices).
module attributes {nn.model = "attngrads"} {
  nn.input @q {dims = ["B", "", "S", ""]} : tensor<?x2x?x8xf32>
  nn.input @k {dims = ["B", "", "S", ""]} : tensor<?x2x?x8xf32>
  nn.input @g {dims = ["B", "", "S", "S"]} : tensor<?x2x?x?xf32>
  nn.input @x {dims = ["B", "S", ""]} : tensor<?x?x16xf32>
  nn.input @gx {dims = ["B", "S", ""]} : tensor<?x?x8xf32>
  func.func @infer(%q: tensor<?x2x?x8xf32> {nn.input = @q}, %k: tensor<?x2x?x8xf32> {nn.input = @k},
                   %g: tensor<?x2x?x?xf32> {nn.input = @g}, %x: tensor<?x?x16xf32> {nn.input = @x},
                   %gx: tensor<?x?x8xf32> {nn.input = @gx})
      -> (tensor<?x2x?x8xf32> {nn.output = "dq"}, tensor<?x2x?x8xf32> {nn.output = "dk"},
          tensor<?x?x16xf32> {nn.output = "dslice"},
          tensor<?x?x10xf32> {nn.output = "dcat_a"}, tensor<?x?x6xf32> {nn.output = "dcat_b"}) {
    %dq = nn.matmul %g, %k : (tensor<?x2x?x?xf32>, tensor<?x2x?x8xf32>) -> tensor<?x2x?x8xf32>
    %dk = nn.matmul %g, %q {transpose_lhs = true} : (tensor<?x2x?x?xf32>, tensor<?x2x?x8xf32>) -> tensor<?x2x?x8xf32>
    %ds = nn.slice_backward %gx, %x {axis = 2, start = 4, end = 12} : (tensor<?x?x8xf32>, tensor<?x?x16xf32>) -> tensor<?x?x16xf32>
    %ca = nn.slice %x {axis = 2, start = 0, end = 10} : tensor<?x?x16xf32> -> tensor<?x?x10xf32>
    %cb = nn.slice %x {axis = -1, start = -6} : tensor<?x?x16xf32> -> tensor<?x?x6xf32>
    return %dq, %dk, %ds, %ca, %cb : tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>,
        tensor<?x?x16xf32>, tensor<?x?x10xf32>, tensor<?x?x6xf32>
  }
}
