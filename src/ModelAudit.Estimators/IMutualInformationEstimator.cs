namespace ModelAudit.Estimators;

/// <summary>
/// An entropy and mutual-information estimator over paired samples. Every result is in bits.
/// </summary>
public interface IMutualInformationEstimator
{
    /// <summary>Short name for reports, e.g. "ksg".</summary>
    string Name { get; }

    /// <summary>Entropy of the distribution the rows of <paramref name="x"/> were drawn from, in bits.</summary>
    double Entropy(SampleMatrix x);

    /// <summary>Mutual information between paired rows of <paramref name="a"/> and <paramref name="b"/>, in bits.</summary>
    double MutualInformation(SampleMatrix a, SampleMatrix b);

    /// <summary>Mutual information between the rows of <paramref name="a"/> and discrete <paramref name="labels"/>, in bits.</summary>
    double MutualInformation(SampleMatrix a, int[] labels);
}
