// The products of gemm-numeric.test (see Inputs/gemm_ref.py).
module attributes {nn.model = "gemm"} {
  nn.input @a {dims = ["", ""]} : tensor<130x300xf32>
  nn.input @b {dims = ["", ""]} : tensor<300x70xf32>
  nn.input @c {dims = ["B", ""]} : tensor<?x10xf32>
  nn.input @w {dims = ["", ""]} : tensor<70x10xf32>
  nn.input @x {dims = ["B", ""]} : tensor<?x100xf32>
  nn.input @g {dims = ["B", ""]} : tensor<?x70xf32>
  nn.input @t {dims = ["", "", ""]} : tensor<2x20x300xf32>
  nn.input @e {dims = ["", ""]} : tensor<300x220xf32>
  nn.input @h {dims = ["", ""]} : tensor<70x300xf32>
  nn.input @u {dims = ["", ""]} : tensor<70x10xf32>
  nn.input @v {dims = ["", ""]} : tensor<100x70xf32>
  func.func @infer(%a: tensor<130x300xf32> {nn.input = @a}, %b: tensor<300x70xf32> {nn.input = @b},
                   %c: tensor<?x10xf32> {nn.input = @c}, %w: tensor<70x10xf32> {nn.input = @w},
                   %x: tensor<?x100xf32> {nn.input = @x}, %g: tensor<?x70xf32> {nn.input = @g},
                   %t: tensor<2x20x300xf32> {nn.input = @t}, %u: tensor<70x10xf32> {nn.input = @u},
                   %v: tensor<100x70xf32> {nn.input = @v}, %e: tensor<300x220xf32> {nn.input = @e},
                   %h: tensor<70x300xf32> {nn.input = @h})
      -> (tensor<130x70xf32> {nn.output = "y0"}, tensor<?x70xf32> {nn.output = "y1"},
          tensor<100x70xf32> {nn.output = "y2"}, tensor<2x20x220xf32> {nn.output = "y3"},
          tensor<?x70xf32> {nn.output = "y4"}, tensor<2x20x70xf32> {nn.output = "y5"},
          tensor<2x20x70xf32> {nn.output = "y6"}) {
    %y0 = nn.matmul %a, %b : (tensor<130x300xf32>, tensor<300x70xf32>) -> tensor<130x70xf32>
    %y1 = nn.matmul %c, %w {transpose_rhs = true} : (tensor<?x10xf32>, tensor<70x10xf32>) -> tensor<?x70xf32>
    %y2 = nn.matmul %x, %g {transpose_lhs = true} : (tensor<?x100xf32>, tensor<?x70xf32>) -> tensor<100x70xf32>
    %y3 = nn.matmul %t, %e : (tensor<2x20x300xf32>, tensor<300x220xf32>) -> tensor<2x20x220xf32>
    %p = nn.matmul %c, %u {transpose_rhs = true} : (tensor<?x10xf32>, tensor<70x10xf32>) -> tensor<?x70xf32>
    %q = nn.matmul %x, %v : (tensor<?x100xf32>, tensor<100x70xf32>) -> tensor<?x70xf32>
    %y4 = nn.add %p, %q : (tensor<?x70xf32>, tensor<?x70xf32>) -> tensor<?x70xf32>
    %y5 = nn.matmul %t, %h {transpose_rhs = true} : (tensor<2x20x300xf32>, tensor<70x300xf32>) -> tensor<2x20x70xf32>
    %y6 = nn.matmul %t, %b : (tensor<2x20x300xf32>, tensor<300x70xf32>) -> tensor<2x20x70xf32>
    return %y0, %y1, %y2, %y3, %y4, %y5, %y6 : tensor<130x70xf32>, tensor<?x70xf32>, tensor<100x70xf32>, tensor<2x20x220xf32>, tensor<?x70xf32>, tensor<2x20x70xf32>, tensor<2x20x70xf32>
  }
}
