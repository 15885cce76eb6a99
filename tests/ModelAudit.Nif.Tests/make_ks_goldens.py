"""Goldens for KolmogorovSmirnov: scipy.stats.ks_2samp (method 'auto') on seeded samples.

Run by hand: /usr/bin/python3 tests/ModelAudit.Nif.Tests/make_ks_goldens.py (scipy 1.10, numpy).
Large samples (> 10000 values) also record scipy.special.kolmogorov(sqrt(en) * D), the limiting
distribution our asymptotic branch uses (scipy's own 'asymp' uses the finite-n kstwo).
"""
import json
import os

import numpy as np
import scipy
from scipy import special, stats

rng = np.random.default_rng(0)
cases = []


def add(name, a, b):
    r = stats.ks_2samp(a, b, method="auto")
    case = {"name": name, "a": [float(v) for v in a], "b": [float(v) for v in b],
            "statistic": float(r.statistic), "pvalue": float(r.pvalue)}
    cases.append(case)


add("equal_sizes_4", [0.1, 0.4, 0.2, 0.3], [0.05, 0.5, 0.25, 0.2])
add("equal_sizes_30", rng.normal(size=30), rng.normal(0.5, 1, size=30))
add("unequal_7_12", rng.normal(size=7), rng.normal(1.0, 1, size=12))
add("unequal_50_80", rng.normal(size=50), rng.normal(0.3, 1.2, size=80))
add("ties", [1, 1, 2, 2, 3, 3, 3, 4], [1, 2, 2, 3, 5, 5])
add("identical", [0.2, 0.4, 0.6], [0.2, 0.4, 0.6])
add("disjoint_5_6", [1, 2, 3, 4, 5], [10, 11, 12, 13, 14, 15])
add("unequal_300_1000", rng.normal(size=300), rng.normal(0.1, 1, size=1000))

large = []
a = rng.normal(size=12000)
b = rng.normal(0.03, 1, size=15000)
r = stats.ks_2samp(a, b, method="auto")
en = 12000 * 15000 / 27000
large.append({"name": "asymp_12000_15000", "a": [float(v) for v in a], "b": [float(v) for v in b],
              "statistic": float(r.statistic), "scipy_pvalue": float(r.pvalue),
              "kolmogorov_pvalue": float(special.kolmogorov(np.sqrt(en) * r.statistic))})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "goldens", "ks_2samp.json")
with open(out, "w") as f:
    json.dump({"scipy": scipy.__version__, "exact_or_auto": cases, "asymptotic": large}, f)
print(out, os.path.getsize(out))
