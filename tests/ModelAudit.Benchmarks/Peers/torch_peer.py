#!/usr/bin/env python3
"""The PyTorch side of the `torch` benchmark suite: a line-protocol server the suite starts once, so that it can
interleave single timed runs of PyTorch with its own. Reads commands on stdin, answers one line per command:

  forward <model> <threads>        one forward of torchvision <model> at 224x224, batch 8        -> seconds
  backward <model> <threads>       forward + one backward to every Relu/Add output, batch 8        -> seconds
  conductance <threads>            layer conductance of every Relu/Add layer of resnet18 (10 classes) at 64x64,
                                   16 samples, 51 points, chunks of 256 points, all layers in one sweep -> seconds
  depthwise <pass> <threads>       depthwise 3x3 convolution, 64 channels, 56x56, pad 1, batch 8: pass = forward,
                                   data (input gradient) or filter (weight gradient)                -> seconds
  quit

Models are built as export_peer_models.py exports them (seed 0, eval mode) and their batch norm is folded into the
convolutions (torch.fx fuse), as the ONNX exporter does for the files our engine runs, so both sides do the same
arithmetic. Relu/Add outputs are recorded by a torch.fx pass. Run with Debian's /usr/bin/python3 (torch 1.13)."""
import operator
import sys
import time

import torch
import torch.fx
import torch.fx.experimental.optimization as fx_opt
import torchvision

BATCH = 8
SIZE = 224
_models = {}


class Recorder:
    """Collects the tensors passed through record() during one forward."""
    values = []


def record(x):
    Recorder.values.append(x)
    return x


torch.fx.wrap("record")


def prepare(name, classes=1000):
    """torchvision model (seed 0), ReLUs made out-of-place, batch norm folded, Relu/Add outputs recorded."""
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(num_classes=classes).eval()
    for module in model.modules():
        if isinstance(module, torch.nn.ReLU):
            module.inplace = False
    fused = fx_opt.fuse(model)
    graph = fused.graph
    modules = dict(fused.named_modules())
    for node in list(graph.nodes):
        relu = (node.op == "call_module" and isinstance(modules.get(node.target), torch.nn.ReLU)) or \
               (node.op == "call_function" and node.target in (torch.relu, torch.nn.functional.relu))
        add = node.op == "call_function" and node.target in (operator.add, operator.iadd, torch.add)
        if not (relu or add):
            continue
        with graph.inserting_after(node):
            recorded = graph.call_function(record, (node,))
        node.replace_all_uses_with(recorded, delete_user_cb=lambda user: user is not recorded)
    graph.lint()
    fused.recompile()
    return fused


def model(name, classes=1000):
    key = (name, classes)
    if key not in _models:
        _models[key] = prepare(name, classes)
    return _models[key]


def forward(name):
    m = model(name)
    x = torch.randn(BATCH, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(3))
    start = time.perf_counter()
    with torch.no_grad():
        Recorder.values = []
        m(x)
    Recorder.values = []
    return time.perf_counter() - start


def backward(name):
    m = model(name)
    x = torch.randn(BATCH, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(3))
    targets = torch.arange(BATCH) * 97 % 1000
    start = time.perf_counter()
    Recorder.values = []
    x.requires_grad_(False)
    with torch.enable_grad():
        # The layers need gradients, the weights do not (as in our engine's backward to layers).
        for p in m.parameters():
            p.requires_grad_(False)
        logits = m(x.requires_grad_(True))
        layers = Recorder.values
        selected = logits.gather(1, targets[:, None]).sum()
        torch.autograd.grad(selected, layers)
    Recorder.values = []
    return time.perf_counter() - start


def conductance(samples=16, points=51, chunk=256, size=64, classes=10):
    m = model("resnet18", classes)
    for p in m.parameters():
        p.requires_grad_(False)
    x = torch.randn(samples, 3, size, size, generator=torch.Generator().manual_seed(5))
    targets = torch.arange(samples) % classes
    alphas = torch.linspace(0, 1, points)
    start = time.perf_counter()
    total = samples * points
    sample_of = torch.arange(total) // points
    step_of = torch.arange(total) % points
    result = None
    previous = None  # (activations, gradients) of the last point of the previous chunk
    for first in range(0, total, chunk):
        idx = torch.arange(first, min(first + chunk, total))
        scaled = (x[sample_of[idx]] * alphas[step_of[idx]][:, None, None, None]).requires_grad_(True)
        Recorder.values = []
        logits = m(scaled)
        layers = Recorder.values
        grads = torch.autograd.grad(logits.gather(1, targets[sample_of[idx]][:, None]).sum(), layers)
        acts = [a.detach() for a in layers]
        if result is None:
            result = [torch.zeros((samples,) + a.shape[1:]) for a in acts]
        # Pairs (k, k+1) of the same sample: inside the chunk, and across the boundary with the previous chunk.
        pair_first = idx[:-1] if previous is None else torch.cat([idx[:1] - 1, idx[:-1]])
        keep = step_of[pair_first] < points - 1
        for l, (a, g) in enumerate(zip(acts, grads)):
            if previous is not None:
                a_all = torch.cat([previous[0][l], a])
                g_all = torch.cat([previous[1][l], g])
            else:
                a_all, g_all = a, g
            contribution = (a_all[1:] - a_all[:-1]) * g_all[:-1]
            result[l].index_add_(0, sample_of[pair_first][keep], contribution[keep])
        previous = ([a[-1:] for a in acts], [g[-1:] for g in grads])
    Recorder.values = []
    return time.perf_counter() - start


_depthwise = {}


def depthwise(which):
    if not _depthwise:
        gen = torch.Generator().manual_seed(1)
        _depthwise["x"] = torch.randn(8, 64, 56, 56, generator=gen)
        _depthwise["w"] = torch.randn(64, 1, 3, 3, generator=gen)
        _depthwise["dy"] = torch.randn(8, 64, 56, 56, generator=gen)
    x, w, dy = _depthwise["x"], _depthwise["w"], _depthwise["dy"]
    start = time.perf_counter()
    if which == "forward":
        torch.nn.functional.conv2d(x, w, None, 1, 1, 1, 64)
    else:
        mask = [which == "data", which == "filter", False]
        torch.ops.aten.convolution_backward(dy, x, w, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 64, mask)
    return time.perf_counter() - start


def main():
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        torch.set_num_threads(int(words[-1]))
        if words[0] == "forward":
            seconds = forward(words[1])
        elif words[0] == "backward":
            seconds = backward(words[1])
        elif words[0] == "depthwise":
            seconds = depthwise(words[1])
        elif words[0] == "conductance":
            seconds = conductance()
        else:
            raise SystemExit(f"unknown command: {line.strip()}")
        print(f"{seconds:.6f}", flush=True)


if __name__ == "__main__":
    main()
