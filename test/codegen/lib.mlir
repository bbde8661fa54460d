// Tests --emit=lib and --emit=obj: the archive holds every kernel, the Halide runtime
// and the model table; the header declares the accessor; the relocatable object
// defines the model table and the kernels' argv entry points, and leaves the runtime
// library (nnrt_*) to the host program.
// RUN: rm -rf %t && mkdir -p %t
// RUN: nnc %s --emit=lib -o %t/libtiny.a --header %t/tiny.h
// RUN: FileCheck %s --check-prefix=HEADER < %t/tiny.h
// RUN: ar t %t/libtiny.a | FileCheck %s --check-prefix=AR
// RUN: nnc %s --emit=obj -o %t/tiny.o
// RUN: nm %t/tiny.o | FileCheck %s --check-prefix=OBJ --implicit-check-not=' T main'

// HEADER: #include "nnrt/nnrt.h"
// HEADER: const nnrt_model *tiny_model_get(void);

// AR-DAG: tiny_infer_k0.o
// AR-DAG: halide_runtime.o
// AR-DAG: tiny.model.o

// OBJ-DAG: T tiny_infer_k0_argv
// OBJ-DAG: D tiny_model
// OBJ-DAG: W halide_malloc

module attributes {nn.model = "tiny"} {
  nn.input @x {dims = ["N"]} : tensor<?xf32>
  func.func @infer(%x: tensor<?xf32> {nn.input = @x}) -> tensor<?xf32> {
    %0 = nn.tanh %x : (tensor<?xf32>) -> tensor<?xf32>
    return %0 : tensor<?xf32>
  }
}
