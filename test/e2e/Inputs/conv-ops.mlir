// The convolution family one op at a time (test/e2e/conv-ops.test).
module attributes {nn.model = "convops"} {
  nn.input @x {dims = ["B", "", "", ""]} : tensor<?x7x6x3xf32>
  nn.input @w {dims = ["", "", "", ""]} : tensor<3x3x3x4xf32>
  nn.input @g {dims = ["B", "", "", ""]} : tensor<?x4x3x4xf32>
  nn.input @xr {dims = ["B", "", "", ""]} : tensor<?x7x6x3xf32>
  nn.input @gp {dims = ["B", "", "", ""]} : tensor<?x4x3x3xf32>
  func.func @infer(%x: tensor<?x7x6x3xf32> {nn.input = @x}, %w: tensor<3x3x3x4xf32> {nn.input = @w},
                   %g: tensor<?x4x3x4xf32> {nn.input = @g}, %xr: tensor<?x7x6x3xf32> {nn.input = @xr},
                   %gp: tensor<?x4x3x3xf32> {nn.input = @gp})
      -> (tensor<?x5x4x4xf32> {nn.output = "valid"}, tensor<?x4x3x4xf32> {nn.output = "same_s2"},
          tensor<?x3x2x4xf32> {nn.output = "dilated"}, tensor<?x7x6x3xf32> {nn.output = "input_grad"},
          tensor<3x3x3x4xf32> {nn.output = "filter_grad"}, tensor<?x3x3x3xf32> {nn.output = "pool2"},
          tensor<?x4x3x3xf32> {nn.output = "pool3_s2"}, tensor<?x7x6x3xf32> {nn.output = "pool_grad"},
          tensor<?x9x7x3xf32> {nn.output = "padded"}, tensor<?x7x12x9xf32> {nn.output = "tiled"},
          tensor<?x4x3x3xf32> {nn.output = "avg3_s2"}, tensor<?x7x6x3xf32> {nn.output = "avg_grad"}) {
    %valid = nn.conv2d %x, %w : (tensor<?x7x6x3xf32>, tensor<3x3x3x4xf32>) -> tensor<?x5x4x4xf32>
    %s2 = nn.conv2d %x, %w {stride = array<i64: 2>, padding = "same"} : (tensor<?x7x6x3xf32>, tensor<3x3x3x4xf32>) -> tensor<?x4x3x4xf32>
    %dil = nn.conv2d %x, %w {dilation = array<i64: 2>} : (tensor<?x7x6x3xf32>, tensor<3x3x3x4xf32>) -> tensor<?x3x2x4xf32>
    %wt = nn.transpose %w {perm = array<i64: 0, 1, 3, 2>} : tensor<3x3x3x4xf32> -> tensor<3x3x4x3xf32>
    %dx = nn.conv2d_transpose %g, %wt {output_shape = array<i64: 7, 6>, stride = array<i64: 2>, padding = "same"} : (tensor<?x4x3x4xf32>, tensor<3x3x4x3xf32>) -> tensor<?x7x6x3xf32>
    %dw = nn.conv2d_filter_grad %x, %g {kernel = array<i64: 3, 3>, stride = array<i64: 2>, padding = "same"} : (tensor<?x7x6x3xf32>, tensor<?x4x3x4xf32>) -> tensor<3x3x3x4xf32>
    %p2 = nn.max_pool2d %xr {size = array<i64: 2>} : (tensor<?x7x6x3xf32>) -> tensor<?x3x3x3xf32>
    %p3 = nn.max_pool2d %xr {size = array<i64: 3>, stride = array<i64: 2>, padding = "same"} : (tensor<?x7x6x3xf32>) -> tensor<?x4x3x3xf32>
    %am = nn.max_pool2d_argmax %xr {size = array<i64: 3>, stride = array<i64: 2>, padding = "same"} : (tensor<?x7x6x3xf32>) -> tensor<?x4x3x3xi32>
    %pg = nn.max_pool2d_backward %gp, %am, %xr {size = array<i64: 3>, stride = array<i64: 2>, padding = "same"} : (tensor<?x4x3x3xf32>, tensor<?x4x3x3xi32>, tensor<?x7x6x3xf32>) -> tensor<?x7x6x3xf32>
    %pad = nn.pad %x {pads = array<i64: 0, 0, 2, 0, 0, 1, 0, 0>} : tensor<?x7x6x3xf32> -> tensor<?x9x7x3xf32>
    %tile = nn.tile %x {reps = array<i64: 1, 1, 2, 3>} : tensor<?x7x6x3xf32> -> tensor<?x7x12x9xf32>
    %avg = nn.avg_pool2d %x {size = array<i64: 3>, stride = array<i64: 2>, padding = "same"} : (tensor<?x7x6x3xf32>) -> tensor<?x4x3x3xf32>
    %ag = nn.avg_pool2d_backward %gp, %x {size = array<i64: 3>, stride = array<i64: 2>, padding = "same"} : (tensor<?x4x3x3xf32>, tensor<?x7x6x3xf32>) -> tensor<?x7x6x3xf32>
    return %valid, %s2, %dil, %dx, %dw, %p2, %p3, %pg, %pad, %tile, %avg, %ag
        : tensor<?x5x4x4xf32>, tensor<?x4x3x4xf32>, tensor<?x3x2x4xf32>, tensor<?x7x6x3xf32>,
          tensor<3x3x3x4xf32>, tensor<?x3x3x3xf32>, tensor<?x4x3x3xf32>, tensor<?x7x6x3xf32>,
          tensor<?x9x7x3xf32>, tensor<?x7x12x9xf32>, tensor<?x4x3x3xf32>, tensor<?x7x6x3xf32>
  }
}
