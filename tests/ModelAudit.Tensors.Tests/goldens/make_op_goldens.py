#!/usr/bin/env python3
"""Writes op_goldens.json: PyTorch forward outputs and input gradients for operations whose
semantics are subtle. Run by hand (python3 make_op_goldens.py); CI only reads the JSON.

Each case: op name and attributes as the C# constructor takes them, input tensors, the upstream
gradient dy, the expected outputs and the expected gradient of sum(dy * y) for each input (null
where the input is not differentiated)."""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)


def tensor(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def case(name, op, attrs, inputs, fn, differentiate):
    xs = [x.clone().requires_grad_(d) for x, d in zip(inputs, differentiate)]
    y = fn(*xs)
    ys = list(y) if isinstance(y, (tuple, list)) else [y]
    dys = [torch.randn_like(o) for o in ys]
    total = sum((o * g).sum() for o, g in zip(ys, dys))
    grads = torch.autograd.grad(total, [x for x, d in zip(xs, differentiate) if d])
    it = iter(grads)
    return {
        "name": name, "op": op, "attrs": attrs,
        "inputs": [tensor(x) for x in inputs],
        "upstream": [tensor(g) for g in dys],
        "outputs": [tensor(o) for o in ys],
        "grads": [tensor(next(it)) if d else None for d in differentiate],
    }


def onnx_slice(x, starts, ends, axes, steps):
    """ONNX Slice through index_select with Python slice semantics (the same clamping rules)."""
    for s, e, a, st in zip(starts, ends, axes, steps):
        dim = x.shape[a]
        idx = list(range(*slice(s, e, st).indices(dim)))
        x = torch.index_select(x, a, torch.tensor(idx, dtype=torch.long))
    return x


cases = []

x = torch.randn(3, 4, 5)
for name, starts, ends, axes, steps in [
    ("slice_negative_steps", [-1, 3], [INT64_MIN, 0], [2, 1], [-2, -1]),
    ("slice_clamped_and_negative_indices", [-100, 1], [INT64_MAX, -1], [0, -1], [2, 1]),
    ("slice_negative_step_past_end", [10, -2], [-10, -5], [1, 2], [-3, -1]),
]:
    cases.append(case(name, "Slice", {"starts": starts, "ends": ends, "axes": axes, "steps": steps}, [x],
                      lambda t, s=starts, e=ends, a=axes, st=steps: onnx_slice(t, s, e, [ax % 3 for ax in a], st), [True]))

x = torch.randn(2, 3, 4, 5)
# ONNX pads: begins (0, 0, 1, 2), ends (0, 0, 2, 1); F.pad takes (left, right, top, bottom).
cases.append(case("pad_reflect", "Pad", {"pads": [0, 0, 1, 2, 0, 0, 2, 1], "mode": "Reflect", "value": 0.0}, [x],
                  lambda t: F.pad(t, (2, 1, 1, 2), mode="reflect"), [True]))
cases.append(case("pad_edge", "Pad", {"pads": [0, 0, 2, 0, 0, 0, 1, 3], "mode": "Edge", "value": 0.0}, [x],
                  lambda t: F.pad(t, (0, 3, 2, 1), mode="replicate"), [True]))
cases.append(case("pad_constant_with_crop", "Pad", {"pads": [0, 0, -1, 2, 0, 0, 1, -2], "mode": "Constant", "value": 1.5}, [x],
                  lambda t: F.pad(t, (2, -2, -1, 1), mode="constant", value=1.5), [True]))

x = torch.randn(2, 3, 4)
for axis in [1, 2]:
    cases.append(case(f"softmax_coerce_axis{axis}", "Softmax", {"axis": axis, "coerceTo2D": True}, [x],
                      lambda t, a=axis: F.softmax(t.reshape(2 if a == 1 else 6, -1), dim=1).reshape(2, 3, 4), [True]))
    cases.append(case(f"logsoftmax_coerce_axis{axis}", "LogSoftmax", {"axis": axis, "coerceTo2D": True}, [x],
                      lambda t, a=axis: F.log_softmax(t.reshape(2 if a == 1 else 6, -1), dim=1).reshape(2, 3, 4), [True]))
cases.append(case("softmax_axis1", "Softmax", {"axis": 1, "coerceTo2D": False}, [x], lambda t: F.softmax(t, dim=1), [True]))

# Kinks included on purpose: PyTorch's choice of derivative at -3 and 3 is part of the contract.
kinks = torch.tensor([-4.0, -3.0, -2.5, -1.0, 0.0, 0.5, 2.9, 3.0, 3.5, 6.0])
cases.append(case("hardswish", "Unary", {"kind": "HardSwish", "alpha": 0.0, "beta": 0.0}, [kinks], F.hardswish, [True]))
cases.append(case("hardsigmoid", "Unary", {"kind": "HardSigmoid", "alpha": 1.0 / 6.0, "beta": 0.5}, [kinks], F.hardsigmoid, [True]))
smooth = torch.randn(3, 5) * 2
cases.append(case("gelu", "Unary", {"kind": "Gelu", "alpha": 0.0, "beta": 0.0}, [smooth], F.gelu, [True]))
cases.append(case("elu", "Unary", {"kind": "Elu", "alpha": 0.7, "beta": 0.0}, [smooth], lambda t: F.elu(t, alpha=0.7), [True]))
cases.append(case("softplus", "Unary", {"kind": "Softplus", "alpha": 0.0, "beta": 0.0}, [smooth], F.softplus, [True]))
cases.append(case("erf", "Unary", {"kind": "Erf", "alpha": 0.0, "beta": 0.0}, [smooth], torch.erf, [True]))

x = torch.randn(2, 3, 4, 2)
scale, bias = torch.rand(3) + 0.5, torch.randn(3)
mean, var = torch.randn(3) * 0.3, torch.rand(3) + 0.5
cases.append(case("batchnorm", "BatchNormalization", {"epsilon": 1e-3}, [x, scale, bias, mean, var],
                  lambda t, s, b, m, v: F.batch_norm(t, m, v, s, b, training=False, eps=1e-3), [True, True, True, False, False]))

for include in [True, False]:
    x = torch.randn(1, 2, 7, 6)
    cases.append(case(f"avgpool_ceil_include{include}", "AveragePool2d",
                      {"kernel": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "ceilMode": True, "countIncludePad": include}, [x],
                      lambda t, inc=include: F.avg_pool2d(t, 3, 2, 1, ceil_mode=True, count_include_pad=inc), [True]))

x = torch.randn(1, 2, 7, 8)
cases.append(case("maxpool_ceil_dilated", "MaxPool2d", {"kernel": [2, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "dilations": [2, 1], "ceilMode": True}, [x],
                  lambda t: F.max_pool2d(t, (2, 3), 2, 1, dilation=(2, 1), ceil_mode=True), [True]))

x = torch.tensor([[1.0, 3.0, 3.0], [2.0, 0.5, 2.0]])
cases.append(case("reducemax_ties", "Reduce", {"kind": "Max", "axes": [1], "keepDims": False}, [x], lambda t: torch.amax(t, dim=1), [True]))

a, b = torch.randn(2, 1, 3, 4), torch.randn(5, 4, 2)
cases.append(case("matmul_broadcast", "MatMul", {}, [a, b], torch.matmul, [True, True]))

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "op_goldens.json"), "w") as f:
    json.dump({"generator": "make_op_goldens.py", "torch": torch.__version__, "cases": cases}, f)
print(f"wrote {len(cases)} cases")
