namespace ModelAudit.Audit.Model;

/// <summary>An estimate in bits with its bootstrap spread.</summary>
/// <param name="Value">Bits.</param>
/// <param name="Spread">Standard deviation over resamples.</param>
public sealed record PlaneValue(double Value, double Spread);

/// <summary>One layer's point in both information planes.</summary>
/// <param name="Layer">Tensor name.</param>
/// <param name="Reduction">How the representation was reduced.</param>
/// <param name="Entropy">H(T).</param>
/// <param name="InputActivation">I(X;T).</param>
/// <param name="ActivationLabel">I(T;Y).</param>
/// <param name="InputConductance">I(X;C), when conductance was computed.</param>
/// <param name="ConductanceLabel">I(C;Y), when conductance was computed.</param>
public sealed record PlanePoint(string Layer, string Reduction, double Entropy, PlaneValue InputActivation, PlaneValue ActivationLabel,
    PlaneValue? InputConductance, PlaneValue? ConductanceLabel)
{
    /// <summary>I(T;Y) with shuffled labels (mean and standard deviation over the shuffles), or null when the null is off.</summary>
    public PlaneValue? ActivationLabelNull { get; init; }

    /// <summary>I(C;Y) with shuffled labels, or null.</summary>
    public PlaneValue? ConductanceLabelNull { get; init; }

    /// <summary>Whether I(T;Y) is above its null by more than three of the null's standard deviations (true without a null).</summary>
    public bool ActivationLabelAboveChance { get; init; } = true;

    /// <summary>Likewise for I(C;Y); null without conductance.</summary>
    public bool? ConductanceLabelAboveChance { get; init; }
}

/// <summary>A DPI finding: information rose from <paramref name="Earlier"/> to <paramref name="Later"/>.</summary>
/// <param name="Quantity"><c>i_xt</c> or <c>i_ty</c>.</param>
/// <param name="Earlier">Shallower layer.</param>
/// <param name="Later">Deeper layer.</param>
/// <param name="EarlierValue">Bits.</param>
/// <param name="LaterValue">Bits.</param>
/// <param name="Margin">Rise beyond the spread, bits.</param>
public sealed record DpiRow(string Quantity, string Earlier, string Later, double EarlierValue, double LaterValue, double Margin);

/// <summary>A contiguous layer group.</summary>
/// <param name="Name">early, intermediate, deep, ...</param>
/// <param name="Layers">Its layers in depth order.</param>
public sealed record GroupRow(string Name, IReadOnlyList<string> Layers);

/// <summary>The information-plane analysis.</summary>
/// <param name="Estimator">Estimator name.</param>
/// <param name="Points">Per layer, depth order.</param>
/// <param name="Groups">Layer groups.</param>
/// <param name="Dpi">DPI findings.</param>
public sealed record PlaneSection(string Estimator, IReadOnlyList<PlanePoint> Points, IReadOnlyList<GroupRow> Groups, IReadOnlyList<DpiRow> Dpi);

/// <summary>ITE terms of one layer (null = undefined, see notes).</summary>
/// <param name="Layer">Tensor name.</param>
/// <param name="Compression">C.</param>
/// <param name="Preservation">P.</param>
/// <param name="Usefulness">U.</param>
/// <param name="Efficiency">E.</param>
/// <param name="Notes">Why a term is missing, saturation warnings.</param>
public sealed record EfficiencyRow(string Layer, double? Compression, double? Preservation, double? Usefulness, double? Efficiency, IReadOnlyList<string> Notes);

/// <summary>Layer conductance: per-layer share and convergence delta, and a heat map of mean |conductance| per unit.</summary>
/// <param name="Method">Integration method.</param>
/// <param name="Steps">n_steps.</param>
/// <param name="Share">Share of total |conductance| per layer.</param>
/// <param name="MaxAbsDelta">Largest |convergence delta| per layer.</param>
/// <param name="Heatmap">Per layer: mean |conductance| per channel (or unit), at most <see cref="HeatmapUnits"/> columns.</param>
public sealed record ConductanceSection(string Method, int Steps, IReadOnlyList<KeyValuePair<string, double>> Share,
    IReadOnlyList<KeyValuePair<string, double>> MaxAbsDelta, IReadOnlyList<KeyValuePair<string, IReadOnlyList<double>>> Heatmap)
{
    /// <summary>Most heat-map columns kept per layer (wider layers are averaged into this many bins).</summary>
    public const int HeatmapUnits = 64;
}

/// <summary>A node of the NIF flow graph.</summary>
/// <param name="Id">Node id.</param>
/// <param name="Layer">Layer index (depth).</param>
/// <param name="Label">Display label.</param>
/// <param name="Betweenness">Betweenness centrality.</param>
/// <param name="Community">Community index.</param>
public sealed record GraphNode(int Id, int Layer, string Label, double Betweenness, int Community);

/// <summary>An edge of the NIF flow graph.</summary>
/// <param name="From">Source id.</param>
/// <param name="To">Target id.</param>
/// <param name="Flow">Information flow (edge weight).</param>
public sealed record GraphEdge(int From, int To, double Flow);

/// <summary>The NIF flow graph.</summary>
/// <param name="Nodes">Nodes.</param>
/// <param name="Edges">Edges.</param>
/// <param name="Attribution">A[i][j]: sum over paths from input feature i to class j of the product of flows.</param>
public sealed record GraphSection(IReadOnlyList<GraphNode> Nodes, IReadOnlyList<GraphEdge> Edges, IReadOnlyList<IReadOnlyList<double>> Attribution);
