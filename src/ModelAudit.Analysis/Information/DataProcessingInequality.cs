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
    /// spread of a difference is taken as the sum of the two layers' standard deviations. For I(T;Y) with a
    /// permutation null, the rise is measured above chance, (I_k - null_k) - (I_l - null_l), the nulls' spreads are
    /// added to the bootstrap spreads, and the deeper value must itself be above chance: an estimator whose bias
    /// grows with depth is no finding.
    /// </summary>
    public static IReadOnlyList<DpiFinding> Find(IReadOnlyList<LayerInformation> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var findings = new List<DpiFinding>();
        foreach (var quantity in new[] { InformationQuantity.InputActivation, InformationQuantity.ActivationLabel })
        {
            for (int l = 0; l < layers.Count; l++)
            {
                for (int k = l + 1; k < layers.Count; k++)
                {
                    var early = Pick(layers[l], quantity);
                    var late = Pick(layers[k], quantity);
                    var earlyNull = Null(layers[l], quantity);
                    var lateNull = Null(layers[k], quantity);
                    if (!InformationPlane.AboveChance(late, lateNull)) continue;
                    double rise = (late.Value - (lateNull?.Value ?? 0)) - (early.Value - (earlyNull?.Value ?? 0));
                    double margin = rise - (early.Spread + late.Spread) - ((earlyNull?.Spread ?? 0) + (lateNull?.Spread ?? 0));
                    if (margin > 0) findings.Add(new DpiFinding(quantity, layers[l].Layer, layers[k].Layer, early.Value, late.Value, margin));
                }
            }
        }
        return findings;
    }

    private static Estimate? Null(LayerInformation layer, InformationQuantity quantity)
        => quantity == InformationQuantity.ActivationLabel ? layer.ActivationLabelNull : null;

    private static Estimate Pick(LayerInformation layer, InformationQuantity quantity)
        => quantity == InformationQuantity.InputActivation ? layer.InputActivation : layer.ActivationLabel;
}
