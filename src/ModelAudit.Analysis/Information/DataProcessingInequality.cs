namespace ModelAudit.Analysis.Information;

/// <summary>Which information quantity rose with depth.</summary>
public enum InformationQuantity
{
    /// <summary>I(X;T).</summary>
    InputActivation,

    /// <summary>I(T;Y).</summary>
    ActivationLabel,
}

/// <summary>
/// A pair of layers l &lt; k where information rose with depth by more than the estimators' spread,
/// against the data-processing inequality (which says it cannot rise for the true quantities).
/// </summary>
/// <param name="Quantity">Which quantity.</param>
/// <param name="Earlier">Layer l.</param>
/// <param name="Later">Layer k (deeper).</param>
/// <param name="EarlierValue">Bits at l.</param>
/// <param name="LaterValue">Bits at k.</param>
/// <param name="Margin">The rise minus the combined spread, in bits (positive).</param>
public sealed record DpiFinding(InformationQuantity Quantity, string Earlier, string Later, double EarlierValue, double LaterValue, double Margin);

/// <summary>Finds every DPI violation in a depth-ordered list of layers.</summary>
public static class DataProcessingInequality
{
    /// <summary>
    /// All pairs l &lt; k with I(X;T_k) or I(T_k;Y) above layer l's by more than the spread, where the
    /// spread of a difference is taken as the sum of the two layers' standard deviations: the bootstrap spreads
    /// and, for I(T;Y) with a permutation null, the null's spreads as well (a rise inside chance is no finding).
    /// </summary>
    public static IReadOnlyList<DpiFinding> Find(IReadOnlyList<LayerInformation> layers)
    {
        var findings = new List<DpiFinding>();
        foreach (var quantity in new[] { InformationQuantity.InputActivation, InformationQuantity.ActivationLabel })
        {
            for (int l = 0; l < layers.Count; l++)
            {
                for (int k = l + 1; k < layers.Count; k++)
                {
                    var early = Pick(layers[l], quantity);
                    var late = Pick(layers[k], quantity);
                    double margin = late.Value - early.Value - (early.Spread + late.Spread) - (NullSpread(layers[l], quantity) + NullSpread(layers[k], quantity));
                    if (margin > 0) findings.Add(new DpiFinding(quantity, layers[l].Layer, layers[k].Layer, early.Value, late.Value, margin));
                }
            }
        }
        return findings;
    }

    private static double NullSpread(LayerInformation layer, InformationQuantity quantity)
        => quantity == InformationQuantity.ActivationLabel && layer.ActivationLabelNull is { } n ? n.Spread : 0;

    private static Estimate Pick(LayerInformation layer, InformationQuantity quantity)
        => quantity == InformationQuantity.InputActivation ? layer.InputActivation : layer.ActivationLabel;
}
