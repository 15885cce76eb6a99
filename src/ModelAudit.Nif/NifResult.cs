namespace ModelAudit.Nif;

/// <summary>Everything a NIF analysis produces.</summary>
public sealed record NifResult
{
    /// <summary>ONNX tensor names of the node layers: the input, the selected layers, the output.</summary>
    public required IReadOnlyList<string> LayerNames { get; init; }

    /// <summary>Per node layer: the units (features, channels, classes) that became nodes, increasing (see <see cref="NifOptions.MaxUnits"/>).</summary>
    public required IReadOnlyList<IReadOnlyList<int>> SelectedUnits { get; init; }

    /// <summary>Per node layer: its units in all (dimension 1 of the value).</summary>
    public required IReadOnlyList<int> LayerUnits { get; init; }

    /// <summary>The up-front size and time estimate the run was admitted with.</summary>
    public required NifEstimate Estimate { get; init; }

    /// <summary>Nodes (layer by layer, selected unit by selected unit).</summary>
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

    /// <summary>A[i, j] = sum over paths from input feature i to class j of the product of flows, [selected features][selected classes].</summary>
    public required double[][] Attribution { get; init; }

    /// <summary>The pruning check (null without labels).</summary>
    public NifPruning? Pruning { get; init; }

    /// <summary>Raw I(x_i; class) per selected input feature (KSG, bits); empty without labels.</summary>
    public IReadOnlyList<double> FeatureClassInformation { get; init; } = [];

    /// <summary>KS comparisons with raw MI (NIF, integrated gradients); empty without labels.</summary>
    public IReadOnlyList<NifComparison> Comparisons { get; init; } = [];

    /// <summary>The seed used.</summary>
    public required int Seed { get; init; }

    /// <summary>Audit samples.</summary>
    public required int Samples { get; init; }
}
