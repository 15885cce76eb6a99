namespace ModelAudit.Nif;

/// <summary>Which mutual-information estimator produces the edge flows of a layer pair.</summary>
public enum FlowEstimator
{
    /// <summary>MINE where the layer pair has at most <see cref="NifOptions.MaxMineEdges"/> edges, KSG above.</summary>
    Auto,

    /// <summary>MINE (Donsker-Varadhan bound, batched statistics networks).</summary>
    Mine,

    /// <summary>Kraskov-Stoegbauer-Grassberger k-nearest-neighbour estimator.</summary>
    Ksg,

    /// <summary>Equal-width binning (plug-in entropies).</summary>
    Binning,
}
