#!/usr/bin/env python3
"""Exports torchvision resnet18, resnet50 and mobilenet_v3_small (fixed-seed random weights, eval mode, so the
exporter folds batch norm into the convolutions) to ONNX at 224x224 with a free batch dimension, into
tests/ModelAudit.Benchmarks/out/peers/ (not committed: 45, 100 and 10 MB). Run by hand with Debian's /usr/bin/python3
(python3-torch 1.13, python3-torchvision) before the `ort` and `torch` benchmark suites; torch_peer.py builds the
same models from the same seed."""
import os

import torch
import torchvision

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "out", "peers")
MODELS = ("resnet18", "resnet50", "mobilenet_v3_small")


def build(name):
    """The model as exported: torchvision's constructor after torch.manual_seed(0), in eval mode."""
    torch.manual_seed(0)
    return getattr(torchvision.models, name)().eval()


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in MODELS:
        path = os.path.join(OUT, f"{name}.onnx")
        if os.path.exists(path):
            continue
        torch.onnx.export(build(name), torch.zeros(1, 3, 224, 224), path, opset_version=13, input_names=["input"],
                          output_names=["logits"], dynamic_axes={"input": {0: "n"}, "logits": {0: "n"}})
        print("wrote", path)


if __name__ == "__main__":
    main()
