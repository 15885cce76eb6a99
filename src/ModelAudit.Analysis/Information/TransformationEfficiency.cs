using ModelAudit.Estimators;

namespace ModelAudit.Analysis.Information;

/// <summary>Weights of the efficiency score E_l = a C_l + b P_l + g U_l.</summary>
/// <param name="Compression">a.</param>
/// <param name="Preservation">b.</param>
/// <param name="Usefulness">g.</param>
public sealed record EfficiencyWeights(double Compression = 1.0 / 3, double Preservation = 1.0 / 3, double Usefulness = 1.0 / 3);

/// <summary>
/// One layer's Information Transformation Efficiency terms. A term whose denominator is zero (or which
/// needs a next layer that does not exist) is null, and <see cref="Notes"/> says why; it is never NaN.
/// </summary>
/// <param name="Layer">Tensor name.</param>
/// <param name="Compression">C_l = max(0, -(H_l - H_{l-1}) / H_{l-1}).</param>
/// <param name="Preservation">P_l = I(T_l;T_{l+1}) / min(H_l, H_{l+1}).</param>
/// <param name="Usefulness">U_l = (I(T_l;Y) - I(T_{l-1};Y)) / (H(Y) - I(T_{l-1};Y)).</param>
/// <param name="Efficiency">a C_l + b P_l + g U_l over the terms that are defined (their weights renormalised).</param>
/// <param name="Notes">Why a term is missing, and saturation warnings.</param>
public sealed record LayerEfficiency(string Layer, double? Compression, double? Preservation, double? Usefulness, double? Efficiency, IReadOnlyList<string> Notes);

/// <summary>
/// The ITE metric of Dabounou &amp; Baazzouz. The layer before the first is the input X (H_{-1} = H(X),
/// I(T_{-1};Y) = I(X;Y)); H(Y) is the plug-in Shannon entropy of the label proportions, which every
/// estimator's I(T;Y) is bounded by.
/// </summary>
public sealed class TransformationEfficiency(IMutualInformationEstimator estimator, EfficiencyWeights weights)
{
    private const double Tiny = 1e-12;

    /// <summary>Computes every layer's terms; <paramref name="layers"/> are in depth order.</summary>
    /// <param name="input">X, reduced.</param>
    /// <param name="labels">Y.</param>
    /// <param name="layers">T_l, reduced, in depth order.</param>
    /// <param name="names">Layer names.</param>
    /// <param name="known">
    /// H(T_l) and I(T_l;Y) per layer when the information plane already estimated them with the same
    /// estimator (each can cost an eigendecomposition), else null to estimate them here.
    /// </param>
    public IReadOnlyList<LayerEfficiency> Compute(SampleMatrix input, int[] labels, IReadOnlyList<SampleMatrix> layers, IReadOnlyList<string> names,
        IReadOnlyList<(double Entropy, double WithLabels)>? known = null)
    {
        int n = input.Rows;
        double saturation = Math.Log2(n);
        double hy = LabelEntropy(labels);
        var entropy = new double[layers.Count];
        var withLabels = new double[layers.Count];
        for (int l = 0; l < layers.Count; l++)
        {
            (entropy[l], withLabels[l]) = known is null
                ? (OrNaN(() => estimator.Entropy(layers[l])), OrNaN(() => estimator.MutualInformation(layers[l], labels)))
                : known[l];
        }
        double hx = OrNaN(() => estimator.Entropy(input));
        double ixy = OrNaN(() => estimator.MutualInformation(input, labels));

        var result = new List<LayerEfficiency>(layers.Count);
        for (int l = 0; l < layers.Count; l++)
        {
            var notes = new List<string>();
            double hPrev = l == 0 ? hx : entropy[l - 1];
            double iPrevY = l == 0 ? ixy : withLabels[l - 1];

            if (!double.IsFinite(entropy[l]) || !double.IsFinite(hPrev) || !double.IsFinite(withLabels[l]) || !double.IsFinite(iPrevY))
                notes.Add("undefined inputs: the estimator could not give H(T) or I(T;Y) here or in the previous layer (see the planes' warnings)");
            double? compression = !double.IsFinite(entropy[l]) || !double.IsFinite(hPrev) ? null
                : hPrev > Tiny ? Math.Max(0, -(entropy[l] - hPrev) / hPrev) : Missing(notes, "compression: the entropy of the previous layer is not positive (a differential entropy can be zero or negative)");
            double? preservation;
            if (l + 1 >= layers.Count) preservation = Missing(notes, "preservation: no next layer");
            else
            {
                double denominator = Math.Min(entropy[l], entropy[l + 1]);
                double shared = double.IsFinite(denominator) ? OrNaN(() => estimator.MutualInformation(layers[l], layers[l + 1])) : double.NaN;
                preservation = !double.IsFinite(denominator) || !double.IsFinite(shared) ? null
                    : denominator > Tiny ? shared / denominator
                    : Missing(notes, "preservation: min(H_l, H_l+1) is not positive (a differential entropy can be zero or negative)");
            }
            double usefulDenominator = hy - iPrevY;
            double? usefulness = !double.IsFinite(usefulDenominator) || !double.IsFinite(withLabels[l]) ? null
                : Math.Abs(usefulDenominator) > Tiny
                ? (withLabels[l] - iPrevY) / usefulDenominator
                : Missing(notes, "usefulness: the previous layer already carries all of H(Y)");

            if (entropy[l] >= saturation * 0.99)
                notes.Add($"saturated: H(T) = {entropy[l]:F3} bits is at log2 N = {saturation:F3}; every sample is distinct to this estimator, so the numbers say little: use a wider kernel or fewer bins");

            result.Add(new LayerEfficiency(names[l], compression, preservation, usefulness, Combine(compression, preservation, usefulness), notes));
        }
        return result;
    }

    private static double OrNaN(Func<double> estimate)
    {
        try
        {
            return estimate();
        }
        catch (UndefinedEstimateException)
        {
            return double.NaN;
        }
    }

    /// <summary>Shannon entropy of the label proportions, in bits.</summary>
    public static double LabelEntropy(int[] labels)
    {
        var counts = labels.GroupBy(v => v).Select(g => (double)g.Count());
        return -counts.Sum(c => c / labels.Length * Math.Log2(c / labels.Length));
    }

    private double? Combine(double? c, double? p, double? u)
    {
        double sum = 0, weight = 0;
        if (c is { } cv) { sum += weights.Compression * cv; weight += weights.Compression; }
        if (p is { } pv) { sum += weights.Preservation * pv; weight += weights.Preservation; }
        if (u is { } uv) { sum += weights.Usefulness * uv; weight += weights.Usefulness; }
        double total = weights.Compression + weights.Preservation + weights.Usefulness;
        return weight > 0 ? sum * total / weight : null;
    }

    private static double? Missing(List<string> notes, string why)
    {
        notes.Add(why);
        return null;
    }
}
