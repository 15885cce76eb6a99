"""Integration-rule goldens: numpy's Gauss-Legendre nodes and Captum's Riemann rules.

Run by hand: /usr/bin/python3 tests/ModelAudit.Analysis.Tests/goldens/make_rule_goldens.py
Captum's approximation_methods (riemann_builders, gauss_legendre_builders) map these to alphas and
step sizes; the formulas are restated here so the goldens need no Captum install.
"""
import json
import os

import numpy as np
import torch

out = {}
for n in (1, 2, 5, 21, 51, 501):
    x, w = np.polynomial.legendre.leggauss(n)
    out[f"gausslegendre_{n}"] = {"alphas": list(0.5 * (1 + x)), "weights": list(0.5 * w)}
for n in (2, 5, 16, 51):
    deltas = [1 / n] * n
    trap = list(deltas)
    trap[0] /= 2
    trap[-1] /= 2
    out[f"riemann_trapezoid_{n}"] = {"alphas": torch.linspace(0, 1, n).double().tolist(), "weights": trap}
    out[f"riemann_left_{n}"] = {"alphas": torch.linspace(0, 1 - 1 / n, n).double().tolist(), "weights": deltas}
    out[f"riemann_right_{n}"] = {"alphas": torch.linspace(1 / n, 1, n).double().tolist(), "weights": deltas}
    out[f"riemann_middle_{n}"] = {"alphas": torch.linspace(1 / (2 * n), 1 - 1 / (2 * n), n).double().tolist(), "weights": deltas}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "integration_rules.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path)
