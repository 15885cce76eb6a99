using System.Numerics.Tensors;
using ModelAudit.Analysis.Attribution;

namespace ModelAudit.Analysis.Tests.Attribution;

public class ConductanceStepTests
{
    private static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 4 - 2);
        return values;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(1000)]
    public void Accumulate_VersusSubtractThenFusedMultiplyAdd_BitIdentical(int length)
    {
        // The one-pass step rounds the difference to float and fuses the product-add, as the two-pass form did:
        // every vector width and the scalar tail must give the same bits.
        float[] g = Random(length, 1), now = Random(length, 2), next = Random(length, 3), start = Random(length, 4);
        var expected = (float[])start.Clone();
        var difference = new float[length];
        TensorPrimitives.Subtract(next, now, difference);
        TensorPrimitives.FusedMultiplyAdd(g, difference, expected, expected);
        var actual = (float[])start.Clone();
        ConductanceStep.Accumulate(g, now, next, actual);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Accumulate_ShortRow_ThrowsNamingLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => ConductanceStep.Accumulate(new float[4], new float[4], new float[3], new float[4]));
        Assert.Contains("3", e.Message);
    }
}
