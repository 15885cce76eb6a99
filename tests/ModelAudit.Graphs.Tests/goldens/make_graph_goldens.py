"""Writes NetworkX 2.8.8 goldens for ModelAudit.Graphs tests (run by hand: /usr/bin/python3 make_graph_goldens.py).

Every graph is rebuilt as nodes 0..n-1 then edges added in the listed order, so that NetworkX's adjacency
order equals the C# graph's (same floating sums and tie-breaks). Lengths for weighted betweenness are computed
here as an edge attribute from the weight, with the same expression the C# code uses.
"""
import json
import math
import os
import random

import networkx as nx

HERE = os.path.dirname(os.path.abspath(__file__))


def build(n, edges, directed):
    """Directed: a DiGraph. Undirected: a Graph whose edge {u, v} weighs the SUM of the listed (u, v) and (v, u)
    weights (ModelAudit's ToUndirected; nx.Graph would keep only the last one)."""
    g = nx.DiGraph() if directed else nx.Graph()
    g.add_nodes_from(range(n))
    for u, v, w in edges:
        if not directed and g.has_edge(u, v):
            g[u][v]["weight"] += w
        else:
            g.add_edge(u, v, weight=w)
    return g


def random_weight(rng, kind):
    # "ties": lengths 1, 1/2, 1/4 sum exactly, so equal-length paths are common.
    return float(rng.choice([1, 2, 4])) if kind == "ties" else round(rng.uniform(0.05, 1.0), 6)


def random_dag(n, p, seed, kind):
    rng = random.Random(seed)
    return [(u, v, random_weight(rng, kind)) for u in range(n) for v in range(u + 1, n) if rng.random() < p]


def random_digraph(n, p, seed, kind):
    rng = random.Random(seed)
    return [(u, v, random_weight(rng, kind)) for u in range(n) for v in range(n) if u != v and rng.random() < p]


def random_undirected(n, m, seed, kind):
    rng = random.Random(seed)
    g = nx.gnm_random_graph(n, m, seed=seed)
    return [(u, v, random_weight(rng, kind)) for u, v in g.edges()]


def betweenness_case(name, n, edges, directed, length, normalized, endpoints):
    g = build(n, edges, directed)
    if length == "Unweighted":
        weight = None
    else:
        wmax = max(w for _, _, w in edges)
        for u, v, d in g.edges(data=True):
            d["length"] = 1 / d["weight"] if length == "InverseWeight" else -math.log(d["weight"] / wmax)
        weight = "length"
    bc = nx.betweenness_centrality(g, normalized=normalized, weight=weight, endpoints=endpoints)
    return dict(name=name, n=n, directed=directed, length=length, normalized=normalized, endpoints=endpoints,
                edges=[list(e) for e in edges], expected=[bc[v] for v in range(n)])


def betweenness_cases():
    cases = []
    for n, p, seed in [(10, 0.4, 1), (30, 0.2, 2), (60, 0.1, 3)]:
        for kind in ["uniform", "ties"]:
            edges = random_dag(n, p, seed, kind)
            for normalized in [True, False]:
                for endpoints in [False, True]:
                    cases.append(betweenness_case(f"dag n={n} {kind}", n, edges, True, "InverseWeight", normalized, endpoints))
    for n, p, seed in [(25, 0.15, 4), (50, 0.08, 5)]:
        for kind in ["uniform", "ties"]:
            edges = random_digraph(n, p, seed, kind)
            for length in ["InverseWeight", "Unweighted", "NegativeLogNormalized"]:
                for normalized in [True, False]:
                    cases.append(betweenness_case(f"cyclic n={n} {kind}", n, edges, True, length, normalized, False))
            cases.append(betweenness_case(f"cyclic n={n} {kind}", n, edges, True, "InverseWeight", True, True))
    for n, m, seed in [(20, 40, 6), (40, 100, 7)]:
        for kind in ["uniform", "ties"]:
            edges = random_undirected(n, m, seed, kind)
            for length in ["InverseWeight", "Unweighted"]:
                for normalized in [True, False]:
                    for endpoints in [False, True]:
                        cases.append(betweenness_case(f"undirected n={n} {kind}", n, edges, False, length, normalized, endpoints))
    # A digraph with reciprocal edges read as undirected: weights of u->v and v->u summed.
    edges = random_digraph(30, 0.15, 8, "uniform")
    for length in ["InverseWeight", "Unweighted"]:
        cases.append(betweenness_case("digraph summed to undirected n=30", 30, edges, False, length, True, False))
    return cases


def modularity_cases():
    cases = []
    for n, p, seed, directed in [(20, 0.2, 11, True), (30, 0.15, 12, False), (40, 0.1, 13, True), (40, 0.1, 14, False)]:
        edges = random_digraph(n, p, seed, "uniform") if directed else random_undirected(n, int(p * n * n / 2), seed, "uniform")
        rng = random.Random(seed)
        labels = [rng.randrange(4) for _ in range(n)]
        g = build(n, edges, directed)
        parts = [{v for v in range(n) if labels[v] == c} for c in sorted(set(labels))]
        for gamma in [1.0, 0.5, 2.0]:
            cases.append(dict(name=f"random n={n} directed={directed}", n=n, directed=directed, resolution=gamma,
                              edges=[list(e) for e in edges], communities=labels,
                              expected=nx.community.modularity(g, parts, resolution=gamma)))
        if directed:
            # The same digraph read as undirected (reciprocal weights summed).
            summed = build(n, edges, False)
            cases.append(dict(name=f"random n={n} summed to undirected", n=n, directed=False, resolution=1.0,
                              edges=[list(e) for e in edges], communities=labels,
                              expected=nx.community.modularity(summed, parts)))
    return cases


def louvain_case(name, n, edges, directed, resolution, seed, planted=None):
    g = build(n, edges, directed)
    parts = nx.community.louvain_communities(g, resolution=resolution, seed=seed)
    levels = sum(1 for _ in nx.community.louvain_partitions(g, resolution=resolution, seed=seed))
    label = {}
    for i, part in enumerate(parts):
        for v in part:
            label[v] = i
    return dict(name=name, n=n, directed=directed, resolution=resolution, seed=seed, edges=[list(e) for e in edges],
                communities=[label[v] for v in range(n)], levels=levels,
                modularity=nx.community.modularity(g, parts, resolution=resolution), planted=planted)


def louvain_cases():
    cases = []
    karate = nx.karate_club_graph()
    karate_edges = [(u, v, float(d["weight"])) for u, v, d in karate.edges(data=True)]
    karate_unweighted = [(u, v, 1.0) for u, v, _ in karate_edges]
    for seed in [0, 1, 42]:
        for resolution in [1.0, 0.5, 1.5]:
            cases.append(louvain_case("karate weighted", 34, karate_edges, False, resolution, seed))
        cases.append(louvain_case("karate unweighted", 34, karate_unweighted, False, 1.0, seed))
    for n, m, seed in [(60, 200, 21), (120, 500, 22), (200, 600, 23)]:
        cases.append(louvain_case(f"random n={n}", n, random_undirected(n, m, seed, "uniform"), False, 1.0, seed))
    # Four cliques of 8 (weight 1) joined in a ring by single weak edges.
    cliques = [(8 * c + i, 8 * c + j, 1.0) for c in range(4) for i in range(8) for j in range(i + 1, 8)]
    ring = [(8 * c + 7, 8 * ((c + 1) % 4), 0.1) for c in range(4)]
    cases.append(louvain_case("4 cliques of 8", 32, cliques + ring, False, 1.0, 0, planted=[v // 8 for v in range(32)]))
    # Stochastic block model, 5 blocks of 20, p_in 0.5, p_out 0.01.
    sbm = nx.stochastic_block_model([20] * 5, [[0.5 if a == b else 0.01 for b in range(5)] for a in range(5)], seed=31)
    rng = random.Random(31)
    sbm_edges = [(u, v, round(rng.uniform(0.5, 1.0), 6)) for u, v in sbm.edges()]
    for seed in [0, 7]:
        cases.append(louvain_case("sbm 5x20", 100, sbm_edges, False, 1.0, seed, planted=[v // 20 for v in range(100)]))
    cases.append(louvain_case("digraph summed to undirected n=60", 60, random_digraph(60, 0.08, 43, "uniform"), False, 1.0, 3))
    # Directed variant.
    for n, p, seed in [(40, 0.1, 41), (80, 0.05, 42)]:
        cases.append(louvain_case(f"directed n={n}", n, random_digraph(n, p, seed, "uniform"), True, 1.0, seed))
    return cases


def python_random_cases():
    cases = []
    for seed in [0, 1, 42, 123456, 2**31 - 1]:
        rng = random.Random(seed)
        outputs = [rng.getrandbits(32) for _ in range(5)]
        shuffles = []
        for n in [2, 10, 33, 100]:
            items = list(range(n))
            rng.shuffle(items)
            shuffles.append(items)
        cases.append(dict(seed=seed, outputs=outputs, shuffles=shuffles))
    return cases


def main():
    for name, cases in [("python_random", python_random_cases()), ("betweenness", betweenness_cases()), ("modularity", modularity_cases()), ("louvain", louvain_cases())]:
        with open(os.path.join(HERE, f"{name}.json"), "w") as f:
            json.dump(cases, f, separators=(",", ":"))
        print(name, len(cases))


if __name__ == "__main__":
    main()
