"""A tiny numpy evaluator for the ONNX subset used by the example models.

onnx 1.12 has no ``onnx.reference`` and onnxruntime is not available, so this
module evaluates an ONNX graph directly from its initializers. It exists to
check that the committed ``.onnx`` files (not just the PyTorch modules)
reproduce the committed golden outputs. It supports only what the examples
need: Gemm, MatMul, Add, Sub, Mul, Relu, Elu, Sigmoid, Softmax, Conv (group 1),
MaxPool (ceil_mode 0), BatchNormalization (inference), Flatten, Reshape,
Squeeze, Slice, Constant, Shape, Gather, Unsqueeze, Concat, Identity.
Computation is done in float64 unless ``dtype`` says otherwise.

Nodes of other domains (e.g. trigo's GravNetConv/GlobalExchange/Condensation)
are evaluated by functions passed in ``custom_ops``: a dict
``(domain, op_type) -> fn(inputs, attrs) -> list of outputs``. The tests hold
a loop-based numpy reference of the trigo ops (tests/graph_reference.py,
``CUSTOM_OPS``) that plugs in here.
"""

from typing import Callable, Dict, Optional, Tuple

import numpy as np
import onnx
from onnx import numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _pads(a, nd):
    p = list(a.get("pads", [0] * (2 * nd)))
    return p[:nd], p[nd:]


def _conv(x, w, b, a):
    if a.get("group", 1) != 1:
        raise NotImplementedError("Conv group != 1")
    kh, kw = w.shape[2:]
    sh, sw = a.get("strides", [1, 1])
    dh, dw = a.get("dilations", [1, 1])
    (pt, pl), (pb, pr) = _pads(a, 2)
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise NotImplementedError("Conv auto_pad")
    x = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    n, c, h, wd = x.shape
    oh = (h - dh * (kh - 1) - 1) // sh + 1
    ow = (wd - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, w.shape[0], oh, ow))
    for i in range(kh):
        for j in range(kw):
            patch = x[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                      j * dw:j * dw + sw * (ow - 1) + 1:sw]      # n,c,oh,ow
            y += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    if b is not None:
        y += b.reshape(1, -1, 1, 1)
    return y


def _maxpool(x, a):
    if a.get("ceil_mode", 0) != 0:
        raise NotImplementedError("MaxPool ceil_mode")
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    dh, dw = a.get("dilations", [1, 1])
    (pt, pl), (pb, pr) = _pads(a, 2)
    x = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)),
               constant_values=-np.inf)
    n, c, h, wd = x.shape
    oh = (h - dh * (kh - 1) - 1) // sh + 1
    ow = (wd - dw * (kw - 1) - 1) // sw + 1
    y = np.full((n, c, oh, ow), -np.inf)
    for i in range(kh):
        for j in range(kw):
            y = np.maximum(y, x[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                               j * dw:j * dw + sw * (ow - 1) + 1:sw])
    return y


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def run(model: onnx.ModelProto, inputs: Dict[str, np.ndarray],
        custom_ops: Optional[Dict[Tuple[str, str], Callable]] = None,
        dtype=np.float64) -> Dict[str, np.ndarray]:
    """Evaluate ``model`` on ``inputs`` (name -> array); return all graph outputs.

    Float initializers and inputs are converted to ``dtype`` (float64 by
    default); ``custom_ops`` evaluates nodes outside the default domain."""
    env = {}
    for init in model.graph.initializer:
        arr = numpy_helper.to_array(init)
        env[init.name] = arr.astype(dtype) if arr.dtype.kind == "f" else arr
    for k, v in inputs.items():
        env[k] = np.asarray(v, dtype=dtype)
    for node in model.graph.node:
        a = _attrs(node)
        x = [env[i] if i else None for i in node.input]
        op = node.op_type
        if node.domain not in ("", "ai.onnx"):
            fn = (custom_ops or {}).get((node.domain, op))
            if fn is None:
                raise NotImplementedError(f"op {node.domain}::{op} (pass custom_ops)")
            ys = fn(x, a)
            for name, y in zip(node.output, ys):
                env[name] = y.astype(dtype) if y.dtype.kind == "f" else y
            continue
        if op == "Gemm":
            A = x[0].T if a.get("transA", 0) else x[0]
            B = x[1].T if a.get("transB", 0) else x[1]
            y = a.get("alpha", 1.0) * (A @ B)
            if len(x) > 2 and x[2] is not None:
                y = y + a.get("beta", 1.0) * x[2]
        elif op == "MatMul":
            y = x[0] @ x[1]
        elif op == "Add":
            y = x[0] + x[1]
        elif op == "Sub":
            y = x[0] - x[1]
        elif op == "Mul":
            y = x[0] * x[1]
        elif op == "Relu":
            y = np.maximum(x[0], 0.0)
        elif op == "Elu":
            al = a.get("alpha", 1.0)
            y = np.where(x[0] > 0, x[0], al * np.expm1(np.minimum(x[0], 0)))
        elif op == "Sigmoid":
            y = 1.0 / (1.0 + np.exp(-x[0]))
        elif op == "Squeeze":
            axes = a["axes"] if "axes" in a else [int(v) for v in x[1]]
            y = np.squeeze(x[0], axis=tuple(int(v) % x[0].ndim for v in axes))
        elif op == "Slice":
            starts, ends = x[1].astype(np.int64), x[2].astype(np.int64)
            axes = x[3].astype(np.int64) if len(x) > 3 and x[3] is not None else range(len(starts))
            steps = x[4].astype(np.int64) if len(x) > 4 and x[4] is not None else [1] * len(starts)
            sl = [slice(None)] * x[0].ndim
            for st, en, ax, sp in zip(starts, ends, axes, steps):
                sl[int(ax)] = slice(int(st), int(en), int(sp))
            y = x[0][tuple(sl)]
        elif op == "Softmax":
            y = _softmax(x[0], a.get("axis", -1))
        elif op == "Conv":
            y = _conv(x[0], x[1], x[2] if len(x) > 2 else None, a)
        elif op == "MaxPool":
            y = _maxpool(x[0], a)
        elif op == "BatchNormalization":
            s = (1, -1) + (1,) * (x[0].ndim - 2)
            scale, bias, mean, var = (t.reshape(s) for t in x[1:5])
            y = (x[0] - mean) / np.sqrt(var + a.get("epsilon", 1e-5)) * scale + bias
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = x[0].reshape(int(np.prod(x[0].shape[:ax])), -1)
        elif op == "Reshape":
            shape = [int(d) for d in x[1]]
            shape = [x[0].shape[i] if d == 0 else d for i, d in enumerate(shape)]
            y = x[0].reshape(shape)
        elif op == "Constant":
            y = numpy_helper.to_array(a["value"])
        elif op == "Shape":
            y = np.array(x[0].shape, dtype=np.int64)
        elif op == "Gather":
            y = np.take(x[0], x[1].astype(np.int64), axis=a.get("axis", 0))
        elif op == "Unsqueeze":
            axes = a["axes"] if "axes" in a else [int(v) for v in x[1]]
            y = x[0]
            for ax in sorted(int(v) % (y.ndim + len(axes)) for v in axes):
                y = np.expand_dims(y, ax)
        elif op == "Concat":
            y = np.concatenate(x, axis=a["axis"])
        elif op == "Identity":
            y = x[0]
        else:
            raise NotImplementedError(f"op {op}")
        if isinstance(y, np.ndarray) and y.dtype.kind == "f":
            y = y.astype(dtype, copy=False)
        env[node.output[0]] = y
    return {o.name: env[o.name] for o in model.graph.output}
