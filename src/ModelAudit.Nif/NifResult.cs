namespace ModelAudit.Nif;

/// <summary>A node of the flow graph: an input feature, a unit of a selected layer, or an output class.</summary>
/// <param name="Id">Index in <see cref="NifResult.Nodes"/>.</param>
/// <param name="Label">Display name, e.g. <c>input[2]</c>, <c>/relu1/Relu_output_0[4]</c>, <c>class[1]</c>.</param>
/// <param name="Layer">Layer index: 0 for the input, 1.. for the selected layers, the last for the classes.</param>
/// <param name="LayerName">The ONNX tensor name of the layer.</param>
/// <param name="Unit">Unit (feature, channel or class) index within the layer.</param>
/// <param name="Betweenness">Normalised betweenness centrality on the flow graph.</param>
/// <param name="Community">Louvain community.</param>
/// <param name="InFlow">Sum of incoming edge flows (bits).</param>
/// <param name="OutFlow">Sum of outgoing edge flows (bits).</param>
public sealed record NifNode(int Id, string Label, int Layer, string LayerName, int Unit, double Betweenness, int Community, double InFlow, double OutFlow);

/// <summary>An edge of the flow graph: the network connects the two units (nonzero Jacobian entry).</summary>
/// <param name="From">Source node id.</param>
/// <param name="To">Target node id.</param>
/// <param name="MutualInformation">Estimated I(x_i; q_k) in bits before the redundancy term and clipping.</param>
/// <param name="Flow">Edge flow in bits (after the redundancy term, clipped at 0).</param>
/// <param name="AboveNoiseFloor">True when the flow exceeds the layer pair's noise floor.</param>
public sealed record NifEdge(int From, int To, double MutualInformation, double Flow, bool AboveNoiseFloor);

/// <summary>How the flows of one pair of consecutive layers were produced.</summary>
/// <param name="From">Earlier layer index.</param>
/// <param name="To">Later layer index.</param>
/// <param name="Estimator">Estimator used: <c>mine</c>, <c>ksg</c> or <c>binning</c>.</param>
/// <param name="Edges">Connected pairs (edges).</param>
/// <param name="Estimated">Edges whose flow was estimated (the rest touch a constant unit and have flow 0).</param>
/// <param name="NoiseFloor">Largest estimate on shuffled (independent) pairs of this layer pair, at least 0 (bits).</param>
/// <param name="ClippedCount">Edges whose flow was negative before clipping at 0.</param>
public sealed record NifLayerPair(int From, int To, string Estimator, int Edges, int Estimated, double NoiseFloor, int ClippedCount);

/// <summary>A unit of a selected layer with no information flow in or out (above the noise floor).</summary>
/// <param name="Node">Node id.</param>
/// <param name="Label">Node label.</param>
/// <param name="Kind"><c>dead</c> (its activation is constant on the audit data) or <c>stifled</c> (it varies, but no edge in or no edge out is above the noise floor).</param>
/// <param name="ZeroFraction">Fraction of its activation values that are exactly 0.</param>
/// <param name="Mean">Mean activation.</param>
/// <param name="Max">Largest activation.</param>
public sealed record NifDeadUnit(int Node, string Label, string Kind, double ZeroFraction, double Mean, double Max);

/// <summary>Accuracy of the model on the audit data before and after zeroing the weights and biases that produce the dead and stifled units.</summary>
/// <param name="PrunedUnits">Labels of the pruned units.</param>
/// <param name="AccuracyBefore">Accuracy of the original model.</param>
/// <param name="AccuracyAfter">Accuracy with the units' producing Gemm/Conv rows and biases zeroed.</param>
/// <param name="ZeroedParameters">Parameters set to 0.</param>
/// <param name="Skipped">Units that could not be pruned, with the reason (no Gemm/Conv producer).</param>
public sealed record NifPruning(IReadOnlyList<string> PrunedUnits, double AccuracyBefore, double AccuracyAfter, int ZeroedParameters, IReadOnlyList<string> Skipped);

/// <summary>Two-sample Kolmogorov-Smirnov comparison of per-feature attributions (each normalised to sum 1).</summary>
/// <param name="Method">The attribution compared with raw MI: <c>nif</c> or <c>integrated-gradients</c>.</param>
/// <param name="Statistic">KS statistic D.</param>
/// <param name="PValue">Two-sided p-value (scipy.stats.ks_2samp, method auto).</param>
/// <param name="Values">The method's per-feature attribution, normalised.</param>
public sealed record NifComparison(string Method, double Statistic, double PValue, IReadOnlyList<double> Values);

/// <summary>Everything a NIF analysis produces.</summary>
public sealed record NifResult
{
    /// <summary>ONNX tensor names of the node layers: the input, the selected layers, the output.</summary>
    public required IReadOnlyList<string> LayerNames { get; init; }

    /// <summary>Nodes (layer by layer, unit by unit).</summary>
    public required IReadOnlyList<NifNode> Nodes { get; init; }

    /// <summary>Edges between consecutive layers.</summary>
    public required IReadOnlyList<NifEdge> Edges { get; init; }

    /// <summary>Per consecutive layer pair: estimator, counts, noise floor.</summary>
    public required IReadOnlyList<NifLayerPair> LayerPairs { get; init; }

    /// <summary>Number of communities.</summary>
    public required int CommunityCount { get; init; }

    /// <summary>Modularity of the Louvain partition on the undirected flow graph (NaN when no edge carries flow).</summary>
    public required double Modularity { get; init; }

    /// <summary>Dead and stifled units.</summary>
    public required IReadOnlyList<NifDeadUnit> DeadUnits { get; init; }

    /// <summary>A[i, j] = sum over paths from input feature i to class j of the product of flows, [features][classes].</summary>
    public required double[][] Attribution { get; init; }

    /// <summary>The pruning check (null without labels).</summary>
    public NifPruning? Pruning { get; init; }

    /// <summary>Raw I(x_i; class) per input feature (KSG, bits); empty without labels.</summary>
    public IReadOnlyList<double> FeatureClassInformation { get; init; } = [];

    /// <summary>KS comparisons with raw MI (NIF, integrated gradients); empty without labels.</summary>
    public IReadOnlyList<NifComparison> Comparisons { get; init; } = [];

    /// <summary>The seed used.</summary>
    public required int Seed { get; init; }

    /// <summary>Audit samples.</summary>
    public required int Samples { get; init; }
}
