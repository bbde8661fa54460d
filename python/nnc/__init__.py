"""nnc: run models compiled by nnc (`nnc model.nn --emit=shared`) from Python.

A pure-Python binding over the nnrt C API that every shared library nnc emits exports
(`nnrt/nnrt.h`, docs/embedding.md): ctypes from the standard library and NumPy, nothing
else.

    import nnc
    m = nnc.Model("libmlp.so")           # the model and one runtime context
    m.entries, m.inputs, m.params         # what the model has
    m.load("mlp.safetensors")             # or m.init_params(seed)
    probs = m.run("infer", image=x)["probs"]
    loss = m.train_step(lr=1e-3, seed=0, image=x, label=y)
    m.save("ckpt.safetensors")

Inputs are passed to the kernels without a copy when they already are C-contiguous,
aligned arrays of the input's dtype (float32 or int32); anything else is converted first.
Outputs are copies by default; `copy=False` returns views of the context's memory, valid
until the next run on the same model. `param(name)` is a view of a parameter (writes go
to the model). A Model is used by one thread at a time; distinct Models (each has its
own context) may run on distinct threads. Errors raise `NnrtError` with the runtime's
status and message.
"""
import ctypes
from collections import namedtuple

import numpy as np

__all__ = ["Model", "NnrtError", "TensorSpec", "ParamSpec", "EntrySpec"]

ABI_VERSION = 12  # NNRT_MODEL_ABI_VERSION of nnrt/model.h
MAX_RANK = 8
_DTYPES = {0: np.dtype(np.float32), 1: np.dtype(np.int32)}  # nnrt_dtype
_CODES = {v: k for k, v in _DTYPES.items()}
_SCHEDULES = {"constant": 0, "linear": 1, "cosine": 2}


# ---- The C structures of nnrt/model.h and nnrt/nnrt.h ---------------------------------

class _Shape(ctypes.Structure):
    _fields_ = [("rank", ctypes.c_int32), ("dims", ctypes.c_int64 * MAX_RANK)]


class _Param(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int32), ("shape", _Shape),
                ("init", ctypes.c_int32), ("init_a", ctypes.c_float),
                ("init_b", ctypes.c_float), ("trainable", ctypes.c_int32)]


class _Input(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int32), ("shape", _Shape)]


class _Entry(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("num_slots", ctypes.c_int32),
                ("slots", ctypes.c_void_p), ("num_inputs", ctypes.c_int32),
                ("inputs", ctypes.POINTER(ctypes.c_int32)), ("num_outputs", ctypes.c_int32),
                ("output_names", ctypes.POINTER(ctypes.c_char_p)),
                ("output_slots", ctypes.POINTER(ctypes.c_int32)),
                ("num_steps", ctypes.c_int32), ("steps", ctypes.c_void_p),
                ("num_updates", ctypes.c_int32), ("updates", ctypes.POINTER(ctypes.c_int32)),
                ("num_buffers", ctypes.c_int32), ("default_batch", ctypes.c_int32),
                ("arena_bytes_at_default", ctypes.c_int64),
                ("unplanned_bytes_at_default", ctypes.c_int64)]


class _IterationStep(ctypes.Structure):
    _fields_ = [("entry", ctypes.c_char_p), ("loss_output", ctypes.c_char_p),
                ("lr", ctypes.c_float), ("micro_batch", ctypes.c_int32)]


class _DataOption(ctypes.Structure):
    _fields_ = [("key", ctypes.c_char_p), ("value", ctypes.c_char_p)]


class _TrainConfig(ctypes.Structure):
    _fields_ = [("data", ctypes.c_char_p), ("batch", ctypes.c_int32),
                ("epochs", ctypes.c_int32), ("seed", ctypes.c_int32), ("lr", ctypes.c_float),
                ("schedule", ctypes.c_int32), ("train_entry", ctypes.c_char_p),
                ("loss_output", ctypes.c_char_p), ("num_iteration_steps", ctypes.c_int32),
                ("iteration_steps", ctypes.POINTER(_IterationStep)),
                ("num_data_options", ctypes.c_int32),
                ("data_options", ctypes.POINTER(_DataOption)),
                ("warmup_steps", ctypes.c_int32)]


class _DimProduct(ctypes.Structure):  # a dim that is factor * symbols[0] * ...
    _fields_ = [("factor", ctypes.c_int64), ("num_symbols", ctypes.c_int32),
                ("symbols", ctypes.c_int32 * MAX_RANK)]


class _Model(ctypes.Structure):
    _fields_ = [("abi_version", ctypes.c_int32), ("name", ctypes.c_char_p),
                ("source", ctypes.c_char_p), ("num_symbols", ctypes.c_int32),
                ("symbols", ctypes.POINTER(ctypes.c_char_p)), ("num_inputs", ctypes.c_int32),
                ("inputs", ctypes.POINTER(_Input)), ("num_params", ctypes.c_int32),
                ("params", ctypes.POINTER(_Param)), ("num_entries", ctypes.c_int32),
                ("entries", ctypes.POINTER(_Entry)), ("train", _TrainConfig),
                ("num_dim_products", ctypes.c_int32),
                ("dim_products", ctypes.POINTER(_DimProduct))]


class _Tensor(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int32), ("shape", _Shape), ("data", ctypes.c_void_p)]


class _Error(ctypes.Structure):
    _fields_ = [("message", ctypes.c_char * 512)]


def _declare(lib):
    """Declares the C API functions this module calls."""
    P, I32, I64, U64 = ctypes.c_void_p, ctypes.c_int32, ctypes.c_int64, ctypes.c_uint64
    S = ctypes.c_char_p
    sigs = {
        "nnrt_library_model": (ctypes.POINTER(_Model), []),
        "nnrt_status_string": (S, [I32]),
        "nnrt_context_create": (I32, [ctypes.POINTER(_Model), ctypes.POINTER(P),
                                      ctypes.POINTER(_Error)]),
        "nnrt_context_destroy": (None, [P]),
        "nnrt_context_last_error": (S, [P]),
        "nnrt_params_init": (I32, [P, U64]),
        "nnrt_param_view": (I32, [P, I32, ctypes.POINTER(_Tensor)]),
        "nnrt_load_safetensors": (I32, [P, S]),
        "nnrt_save_safetensors": (I32, [P, S]),
        "nnrt_context_set_metadata": (I32, [P, S, S]),
        "nnrt_context_metadata": (S, [P, S]),
        "nnrt_schedule_lr": (ctypes.c_float, [I32, ctypes.c_float, I64, I64, I64]),
        "nnrt_run": (I32, [P, S, ctypes.POINTER(_Tensor), I32, ctypes.POINTER(_Tensor), I32]),
        "nnrt_train_step": (I32, [P, ctypes.POINTER(_Tensor), I32, ctypes.c_float,
                                  ctypes.c_int32, ctypes.POINTER(ctypes.c_float)]),
        "nnrt_dataset_load_fashion_mnist": (I32, [S, S, ctypes.POINTER(P),
                                                  ctypes.POINTER(_Error)]),
        "nnrt_dataset_destroy": (None, [P]),
        "nnrt_dataset_images": (_Tensor, [P]),
        "nnrt_dataset_labels": (_Tensor, [P]),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args


class NnrtError(RuntimeError):
    """A failure reported by the runtime: `status` is the nnrt_status, str() the message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


TensorSpec = namedtuple("TensorSpec", "name dtype shape")  # shape: ints, or symbol names
ParamSpec = namedtuple("ParamSpec", "name dtype shape trainable")
EntrySpec = namedtuple("EntrySpec", "name inputs outputs")


def _text(b):
    return b.decode() if b is not None else None


def _shape(s, symbols):
    return tuple(int(d) if d >= 0 else symbols[-d - 1] for d in s.dims[:s.rank])


def _view(t):
    """A NumPy view of a tensor whose memory the runtime owns."""
    dtype = _DTYPES[t.dtype]
    shape = tuple(t.shape.dims[:t.shape.rank])
    count = int(np.prod(shape, dtype=np.int64))
    if count == 0:
        return np.zeros(shape, dtype)
    buf = (ctypes.c_char * (count * dtype.itemsize)).from_address(t.data)
    return np.frombuffer(buf, dtype=dtype).reshape(shape)


class Model:
    """A compiled model loaded from its shared library, with one runtime context."""

    def __init__(self, path):
        self._lib = ctypes.CDLL(str(path))
        _declare(self._lib)
        self._model = self._lib.nnrt_library_model()
        m = self._model.contents
        if m.abi_version != ABI_VERSION:
            raise NnrtError(2, f"{path}: model ABI version {m.abi_version}, this binding "
                               f"reads version {ABI_VERSION}")
        err = _Error()
        ctx = ctypes.c_void_p()
        status = self._lib.nnrt_context_create(self._model, ctypes.byref(ctx),
                                               ctypes.byref(err))
        if status != 0:
            raise NnrtError(status, err.message.decode())
        self._ctx = ctx
        self.name = _text(m.name)
        self.symbols = [_text(m.symbols[i]) for i in range(m.num_symbols)]
        self.inputs = [TensorSpec(_text(i.name), _DTYPES[i.dtype], _shape(i.shape, self.symbols))
                       for i in m.inputs[:m.num_inputs]]
        self.params = [ParamSpec(_text(p.name), _DTYPES[p.dtype], _shape(p.shape, self.symbols),
                                 bool(p.trainable)) for p in m.params[:m.num_params]]
        self._param_index = {p.name: i for i, p in enumerate(self.params)}
        self.entries = {}
        for e in m.entries[:m.num_entries]:
            spec = EntrySpec(_text(e.name), [self.inputs[e.inputs[i]].name
                                             for i in range(e.num_inputs)],
                             [_text(e.output_names[o]) for o in range(e.num_outputs)])
            self.entries[spec.name] = spec
        t = m.train
        self.train_config = {
            "data": _text(t.data), "batch": t.batch, "epochs": t.epochs, "seed": t.seed,
            "lr": t.lr, "schedule": {v: k for k, v in _SCHEDULES.items()}.get(t.schedule),
            "warmup": t.warmup_steps,
            "entry": _text(t.train_entry) or None, "loss": _text(t.loss_output) or None,
            "steps": [{"entry": _text(s.entry), "loss": _text(s.loss_output), "lr": s.lr,
                       "micro_batch": s.micro_batch}
                      for s in t.iteration_steps[:t.num_iteration_steps]]}

    # ---- lifetime ----------------------------------------------------------------------

    def close(self):
        """Destroys the context (the library stays loaded). Views of it become invalid."""
        if getattr(self, "_ctx", None):
            self._lib.nnrt_context_destroy(self._ctx)
            self._ctx = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _check(self, status):
        if status != 0:
            raise NnrtError(status, _text(self._lib.nnrt_context_last_error(self._ctx)))

    # ---- parameters and checkpoints ----------------------------------------------------

    def init_params(self, seed):
        """Initializes every parameter from the model's initializers and `seed` (as
        `./model train --seed N` does)."""
        self._check(self._lib.nnrt_params_init(self._ctx, seed & (2**64 - 1)))

    def param(self, name):
        """A view of parameter `name`: the model's own memory, valid while it lives."""
        if name not in self._param_index:
            raise KeyError(f"no parameter '{name}' in model '{self.name}'")
        t = _Tensor()
        self._check(self._lib.nnrt_param_view(self._ctx, self._param_index[name],
                                              ctypes.byref(t)))
        return _view(t)

    def state_dict(self):
        """Every parameter (trainable and state) by name, as views."""
        return {p.name: self.param(p.name) for p in self.params}

    def load(self, path):
        """Loads every parameter from a safetensors file (validated before any write)."""
        self._check(self._lib.nnrt_load_safetensors(self._ctx, str(path).encode()))

    def save(self, path, metadata=None):
        """Saves every parameter to a safetensors file, atomically, with `metadata`."""
        for k, v in (metadata or {}).items():
            self._check(self._lib.nnrt_context_set_metadata(self._ctx, str(k).encode(),
                                                            str(v).encode()))
        self._check(self._lib.nnrt_save_safetensors(self._ctx, str(path).encode()))

    def metadata(self, key):
        """A metadata value of the last loaded or set checkpoint metadata, or None."""
        return _text(self._lib.nnrt_context_metadata(self._ctx, key.encode()))

    # ---- running entries ---------------------------------------------------------------

    def run(self, entry, *args, copy=True, **kwargs):
        """Runs `entry` on its inputs (positional in `entries[entry].inputs` order, or by
        name) and returns its outputs by name. Scalars are accepted for rank-0 inputs
        such as `lr` and `seed`."""
        spec = self.entries.get(entry)
        if spec is None:
            raise NnrtError(7, f"no entry '{entry}' in model '{self.name}' (entries: "
                               f"{', '.join(self.entries)})")
        if len(args) > len(spec.inputs):
            raise NnrtError(5, f"entry '{entry}' takes {len(spec.inputs)} inputs, "
                               f"{len(args)} given")
        values = dict(zip(spec.inputs, args))
        for k, v in kwargs.items():
            if k not in spec.inputs or k in values:
                raise NnrtError(5, f"entry '{entry}': unexpected or repeated input '{k}'")
            values[k] = v
        missing = [n for n in spec.inputs if n not in values]
        if missing:
            raise NnrtError(5, f"entry '{entry}': missing input(s) {', '.join(missing)}")
        n = len(spec.inputs)
        tensors, keep = self._tensors(spec.inputs, values)
        outs = (_Tensor * max(len(spec.outputs), 1))()
        self._check(self._lib.nnrt_run(self._ctx, entry.encode(), tensors, n, outs,
                                       len(spec.outputs)))
        result = {}
        for o, name in enumerate(spec.outputs):
            v = _view(outs[o])
            result[name] = v.copy() if copy else v
        return result

    def _tensors(self, names, values):
        """nnrt_tensors of `values[name]` for the inputs `names`, and the arrays they point
        into (which must outlive the call): no copy for a C-contiguous, aligned array of
        the input's dtype."""
        by_name = {i.name: i for i in self.inputs}
        tensors = (_Tensor * max(len(names), 1))()
        keep = []
        for k, name in enumerate(names):
            dtype = by_name[name].dtype
            a = np.require(values[name], dtype=dtype, requirements=["C", "A"])
            if a.ndim > MAX_RANK:
                raise NnrtError(3, f"input '{name}' has rank {a.ndim} (at most {MAX_RANK})")
            keep.append(a)
            t = tensors[k]
            t.dtype = _CODES[dtype]
            t.shape.rank = a.ndim
            for d, size in enumerate(a.shape):
                t.shape.dims[d] = size
            t.data = a.ctypes.data
        return tensors, keep

    def schedule_lr(self, step, total_steps, lr=None, schedule=None, warmup=None):
        """The learning rate of step `step` of `total_steps` (nnrt_schedule_lr), the first
        `warmup` steps warming up; `lr`, `schedule` and `warmup` default to the model's
        train declaration."""
        lr = self.train_config["lr"] if lr is None else lr
        schedule = self.train_config["schedule"] if schedule is None else schedule
        warmup = self.train_config["warmup"] if warmup is None else warmup
        return self._lib.nnrt_schedule_lr(_SCHEDULES[schedule], lr, step, total_steps,
                                          warmup)

    def train_step(self, lr, seed=0, **inputs):
        """One training step (nnrt_train_step: the model's train entry) on `inputs` at
        learning rate `lr`; `seed` feeds the stream of dropout and noise, folded to 32
        bits as the driver does. Updates the parameters and returns the loss."""
        entry = self.train_config["entry"]
        if not entry:
            raise NnrtError(7, f"model '{self.name}' has no train entry")
        conventional = {i.name for i in self.inputs if i.shape == () and
                        (i.name, i.dtype) in (("lr", np.float32), ("seed", np.int32))}
        data = [n for n in self.entries[entry].inputs if n not in conventional]
        missing = [n for n in data if n not in inputs]
        extra = [n for n in inputs if n not in data]
        if missing or extra:
            raise NnrtError(5, f"train step: inputs are {', '.join(data)}; missing "
                               f"{missing}, unexpected {extra}")
        tensors, keep = self._tensors(data, inputs)
        folded = (seed ^ (seed >> 32)) & 0xFFFFFFFF
        loss = ctypes.c_float()
        self._check(self._lib.nnrt_train_step(self._ctx, tensors, len(data), lr,
                                              folded - (1 << 32) if folded >= 1 << 31
                                              else folded, ctypes.byref(loss)))
        return loss.value

    # ---- data --------------------------------------------------------------------------

    def load_fashion_mnist(self, split, directory=None):
        """Fashion-MNIST's `split` ("train" or "t10k") as the runtime reads it: images
        float32 [N, 28, 28] in [0, 1] and labels int32 [N] (copies)."""
        ds, err = ctypes.c_void_p(), _Error()
        status = self._lib.nnrt_dataset_load_fashion_mnist(
            directory.encode() if directory else None, split.encode(), ctypes.byref(ds),
            ctypes.byref(err))
        if status != 0:
            raise NnrtError(status, err.message.decode())
        try:
            return (_view(self._lib.nnrt_dataset_images(ds)).copy(),
                    _view(self._lib.nnrt_dataset_labels(ds)).copy())
        finally:
            self._lib.nnrt_dataset_destroy(ds)
