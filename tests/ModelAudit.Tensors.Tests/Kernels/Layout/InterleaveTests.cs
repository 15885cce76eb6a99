using ModelAudit.Tensors.Kernels.Layout;
using ModelAudit.Tensors.Tests.Kernels;

namespace ModelAudit.Tensors.Tests.Kernels.Layout;

public class InterleaveTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(37)]
    public unsafe void Apply_Pairs_EvenThenOddPerPair(int count)
    {
        float[] even = KernelAssert.Random(count, 1), odd = KernelAssert.Random(count, 2);
        var woven = new float[2 * count + 1];
        woven[^1] = 42f; // past the end: untouched
        fixed (float* pe = even, po = odd, pw = woven) Interleave.Apply(pe, po, pw, count);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(even[i], woven[2 * i]);
            Assert.Equal(odd[i], woven[2 * i + 1]);
        }
        Assert.Equal(42f, woven[^1]);
    }
}
