using ModelAudit.Tensors;

namespace ModelAudit.Analysis.Attribution;

/// <summary>Attributions for several layers of one batch of samples.</summary>
public sealed class AttributionResult
{
    internal AttributionResult(string method, IReadOnlyDictionary<string, LayerAttribution> layers, float[] targetDifference)
    {
        Method = method;
        Layers = layers;
        TargetDifference = targetDifference;
    }

    /// <summary>The method, e.g. <c>conductance</c>.</summary>
    public string Method { get; }

    /// <summary>Per layer (by tensor name), in the order asked for.</summary>
    public IReadOnlyDictionary<string, LayerAttribution> Layers { get; }

    /// <summary>F_t(x) - F_t(x') per sample (empty for methods without a baseline).</summary>
    public IReadOnlyList<float> TargetDifference { get; }
}

/// <summary>One layer's attribution.</summary>
/// <param name="Layer">Tensor name.</param>
/// <param name="Values">[N, layer shape...].</param>
/// <param name="ConvergenceDelta">Per sample: sum of the attribution minus F_t(x) - F_t(x') (empty where not defined).</param>
public sealed record LayerAttribution(string Layer, Tensor Values, float[] ConvergenceDelta)
{
    /// <summary>The largest absolute convergence delta over samples (0 when not defined).</summary>
    public float MaxAbsDelta => ConvergenceDelta.Length == 0 ? 0 : ConvergenceDelta.Max(MathF.Abs);
}
