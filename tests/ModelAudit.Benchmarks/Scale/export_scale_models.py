#!/usr/bin/env python3
"""Exports torchvision ResNet50 and VGG16 (fixed-seed random weights, as the scale issue measured them) to ONNX at
224x224 with a free batch dimension, plus 256 seeded N(0, 1) images and random labels, into
tests/ModelAudit.Benchmarks/out/scale/ (not committed: 100 MB and 530 MB). Run by hand with Debian's python3-torch
and python3-torchvision before `dotnet run -c Release --project tests/ModelAudit.Benchmarks -- scale`."""
import os

import numpy as np
import torch
import torchvision

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "out", "scale")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in ("resnet50", "vgg16"):
        path = os.path.join(OUT, f"{name}.onnx")
        if os.path.exists(path):
            continue
        torch.manual_seed(0)
        model = getattr(torchvision.models, name)().eval()
        torch.onnx.export(model, torch.zeros(1, 3, 224, 224), path, opset_version=13, input_names=["input"],
                          output_names=["logits"], dynamic_axes={"input": {0: "n"}, "logits": {0: "n"}})
        print("wrote", path)
    rng = np.random.default_rng(0)
    np.save(os.path.join(OUT, "input.npy"), rng.standard_normal((256, 3, 224, 224), dtype=np.float32))
    np.save(os.path.join(OUT, "labels.npy"), rng.integers(0, 1000, size=256).astype(np.int64))


if __name__ == "__main__":
    main()
