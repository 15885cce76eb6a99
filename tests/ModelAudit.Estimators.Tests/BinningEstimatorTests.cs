namespace ModelAudit.Estimators.Tests;

public sealed class BinningEstimatorTests
{
    // Four 2-D samples on fixed edges [0, 1] with 2 bins (width 0.5): symbols A, A, B, C.
    private static readonly SampleMatrix FourSamples = new([0.1f, 0.2f, 0.3f, 0.4f, 0.6f, 0.1f, 0.9f, 0.9f], 4, 2);

    private static readonly BinningEstimator TwoBinsOnUnit =
        new(new BinningOptions(new BinRange.Fixed(0, 1), new BinWidth.Count(2)));

    [Fact]
    public void Entropy_SymbolsAABC_IsOneAndAHalfBits()
    {
        // p = (1/2, 1/4, 1/4): H = 1/2 + 2 * 1/4 * 2 = 1.5 bits.
        Assert.Equal(1.5, TwoBinsOnUnit.Entropy(FourSamples), 15);
    }

    [Fact]
    public void MutualInformation_LabelsAlignedWithFirstSymbol_IsOneBit()
    {
        // Labels 0,0,1,1: H(X) = 1.5, H(Y) = 1, H(X,Y) = 1.5 -> I = 1.
        Assert.Equal(1.0, TwoBinsOnUnit.MutualInformation(FourSamples, [0, 0, 1, 1]), 15);
    }

    [Fact]
    public void MutualInformation_LabelsSplittingTheRepeatedSymbol_IsHalfBit()
    {
        // Labels 0,1,0,1: joint symbols all distinct, H(X,Y) = 2 -> I = 1.5 + 1 - 2 = 0.5.
        Assert.Equal(0.5, TwoBinsOnUnit.MutualInformation(FourSamples, [0, 1, 0, 1]), 15);
    }

    [Fact]
    public void MutualInformation_MatrixWithItself_EqualsItsEntropy()
    {
        Assert.Equal(1.5, TwoBinsOnUnit.MutualInformation(FourSamples, FourSamples), 15);
    }

    [Fact]
    public void MutualInformation_MatrixAgainstLabelColumn_EqualsLabelsOverload()
    {
        var binning = new BinningEstimator(new BinningOptions(new BinRange.PerLayerMinMax(), new BinWidth.Count(4)));
        var labelColumn = SampleMatrix.FromLabels([0, 1, 2, 3]);
        // The label column 0..3 over its own min/max in 4 bins gives 4 distinct symbols, like the labels themselves.
        Assert.Equal(binning.MutualInformation(FourSamples, [0, 1, 2, 3]), binning.MutualInformation(FourSamples, labelColumn), 15);
    }

    [Fact]
    public void BinIndices_EdgesAndOutOfRange_ClampToEndBins()
    {
        var x = new SampleMatrix([-0.5f, 0f, 0.49f, 0.5f, 1f, 2f], 6, 1);
        Assert.Equal([0, 0, 0, 1, 1, 1], TwoBinsOnUnit.BinIndices(x));
    }

    [Fact]
    public void BinIndices_BinSizeOnPerLayerMinMax_FloorsFromMinimum()
    {
        // Range [1, 2], size 0.3 -> ceil(1 / 0.3) = 4 bins: [1, 1.3), [1.3, 1.6), [1.6, 1.9), [1.9, 2].
        var x = new SampleMatrix([1f, 1.29f, 1.31f, 1.65f, 1.95f, 2f], 6, 1);
        var binning = new BinningEstimator(new BinningOptions(new BinRange.PerLayerMinMax(), new BinWidth.Size(0.3)));
        Assert.Equal([0, 0, 1, 2, 3, 3], binning.BinIndices(x));
    }

    [Fact]
    public void Entropy_ConstantLayer_IsZero()
    {
        Assert.Equal(0.0, new BinningEstimator().Entropy(new SampleMatrix([3f, 3f, 3f, 3f], 2, 2)));
    }

    [Fact]
    public void Entropy_EightDistinctRows_IsThreeBits()
    {
        var x = new SampleMatrix([.. Enumerable.Range(0, 8).Select(i => (float)i)], 8, 1);
        Assert.Equal(3.0, new BinningEstimator(new BinningOptions(Width: new BinWidth.Count(8))).Entropy(x), 15);
    }
}
