namespace ModelAudit.Graphs;

/// <summary>How an edge weight (information flow) becomes a path length for shortest-path measures.</summary>
public enum EdgeLength
{
    /// <summary>Every edge has length 1 (breadth-first search).</summary>
    Unweighted,

    /// <summary>Length 1/w: strong flow is a short distance. Zero-weight edges are absent.</summary>
    InverseWeight,

    /// <summary>Length -log(w / max w): the strongest edge has length 0. Zero-weight edges are absent.</summary>
    NegativeLogNormalized,
}
