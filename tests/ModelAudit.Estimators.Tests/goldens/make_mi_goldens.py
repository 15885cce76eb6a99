"""Goldens for ModelAudit.Estimators tests. Run by hand: /usr/bin/python3 make_mi_goldens.py

Writes mi_goldens.json next to this script. Peers: scikit-learn 1.2.1 (KSG / Ross private functions,
public mutual_info_*, ledoit_wolf), scipy 1.10 (cKDTree max-norm, digamma), numpy (eigvalsh).
All data are float32-representable so the C# side sees identical float64 values.
"""
import json
import math
import os

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma
from sklearn.covariance import ledoit_wolf
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression
from sklearn.feature_selection._mutual_info import _compute_mi_cc, _compute_mi_cd

LN2 = math.log(2.0)
rng = np.random.RandomState(20240601)


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def untie(column):
    """Real data have repeated values; a 1e-3 * std fixed-seed jitter makes every value and distance distinct."""
    jittered = f32(column + 1e-3 * np.std(column) * rng.standard_normal(column.shape))
    assert len(np.unique(jittered)) == len(jittered)
    return jittered


def as_list(a):
    return [float(v) for v in np.asarray(a).ravel()]


datasets = {"iris": load_iris(), "wine": load_wine(), "breast_cancer": load_breast_cancer()}
ksg_cc, ksg_cd = [], []
for name, (xc, yc) in [("iris", (0, 2)), ("iris", (1, 3)), ("wine", (0, 6)), ("wine", (9, 12)), ("breast_cancer", (0, 2)), ("breast_cancer", (4, 8))]:
    data = datasets[name].data
    x, y = untie(data[:, xc]), untie(data[:, yc])
    ksg_cc.append({
        "name": f"{name}[{xc}] vs {name}[{yc}]",
        "x": as_list(x), "y": as_list(y), "k": 3,
        "mi_bits": _compute_mi_cc(x, y, 3) / LN2,
        "sklearn_public_bits": float(mutual_info_regression(x.reshape(-1, 1), y, n_neighbors=3, discrete_features=False, random_state=0)[0]) / LN2,
    })
for name, col in [("iris", 0), ("iris", 3), ("wine", 6), ("wine", 12), ("breast_cancer", 0), ("breast_cancer", 7)]:
    data, target = datasets[name].data, datasets[name].target
    x = untie(data[:, col])
    ksg_cd.append({
        "name": f"{name}[{col}] vs target",
        "x": as_list(x), "labels": [int(v) for v in target], "k": 3,
        "mi_bits": _compute_mi_cd(x, target, 3) / LN2,
        "sklearn_public_bits": float(mutual_info_classif(x.reshape(-1, 1), target, n_neighbors=3, random_state=0)[0]) / LN2,
    })

# Kozachenko-Leonenko entropy, max-norm: psi(N) - psi(k) + d mean ln(2 r_k).
kl_entropy = []
iris = datasets["iris"].data
for cols in ([0], [0, 1], [0, 1, 2, 3]):
    x = np.stack([untie(iris[:, c]) for c in cols], axis=1)
    r = cKDTree(x).query(x, k=4, p=np.inf)[0][:, -1]
    h = digamma(len(x)) - digamma(3) + len(cols) * np.mean(np.log(2 * r))
    kl_entropy.append({"name": f"iris{cols}", "rows": len(x), "cols": len(cols), "x": as_list(x), "k": 3, "entropy_bits": h / LN2})


def gaussian_bits(x):
    cov, shrinkage = ledoit_wolf(x)
    sign, logdet = np.linalg.slogdet(cov)
    assert sign > 0
    d = x.shape[1]
    return 0.5 * (d * math.log(2 * math.pi * math.e) + logdet) / LN2, float(shrinkage)


gaussian = []
wide = f32(rng.standard_normal((12, 30)) @ rng.standard_normal((30, 30)))
iris32 = f32(iris)
for name, x in [("iris", iris32), ("iris[0:2]", iris32[:, :2]), ("iris[2:4]", iris32[:, 2:]), ("wide 12x30", wide)]:
    h, s = gaussian_bits(x)
    gaussian.append({"name": name, "rows": x.shape[0], "cols": x.shape[1], "x": as_list(x), "entropy_bits": h, "shrinkage": s})

symmetric = rng.standard_normal((40, 40))
symmetric = f32((symmetric + symmetric.T) / 2)
eigen = {"n": 40, "matrix": as_list(symmetric), "eigenvalues": as_list(np.linalg.eigvalsh(symmetric))}


def renyi_bits(gram, alpha):
    a = gram / np.trace(gram)
    lam = np.clip(np.linalg.eigvalsh(a), 0, None)
    return math.log2(np.sum(lam[lam > 0] ** alpha)) / (1 - alpha)


def sqdist(x):
    return np.sum((x[:, None, :] - x[None, :, :]) ** 2, axis=2)


target = datasets["iris"].target
sigma, alpha = 0.8, 1.01
kx = np.exp(-sqdist(iris32) / (2 * sigma ** 2))
ky = (target[:, None] == target[None, :]).astype(float)
renyi = {"sigma": sigma, "alpha": alpha, "entropy_bits": renyi_bits(kx, alpha),
         "label_entropy_bits": renyi_bits(ky, alpha),
         "mi_labels_bits": renyi_bits(kx, alpha) + renyi_bits(ky, alpha) - renyi_bits(kx * ky, alpha)}


def kde_bits(x, var):
    n, d = x.shape
    e = -sqdist(x) / (2 * var)
    m = e.max(axis=1, keepdims=True)
    lse = (m[:, 0] + np.log(np.exp(e - m).sum(axis=1)))
    return (d / 2 + d / 2 * math.log(2 * math.pi * var) - np.mean(lse - math.log(n))) / LN2


var = 0.1
h_kde = kde_bits(iris32, var)
h_cond = sum(np.mean(target == c) * kde_bits(iris32[target == c], var) for c in np.unique(target))
kde = {"noise_variance": var, "entropy_bits": h_kde, "mi_labels_bits": h_kde - h_cond,
       "mi_input_bits": h_kde - 4 / 2 * math.log2(2 * math.pi * math.e * var)}

out = {"iris": {"rows": 150, "cols": 4, "x": as_list(iris32), "labels": [int(v) for v in target]},
       "ksg_cc": ksg_cc, "ksg_cd": ksg_cd, "kl_entropy": kl_entropy, "gaussian": gaussian,
       "eigen": eigen, "renyi": renyi, "kde": kde}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "mi_goldens.json"), "w") as f:
    json.dump(out, f, indent=1)
