using ModelAudit.Tensors.Kernels.Layout;

namespace ModelAudit.Tensors.Tests.Kernels.Layout;

public class ShortCopyTests
{
    /// <summary>
    /// Every count from 0 to 70 (scalar, 8-float and 16-float vectors, each with and without a ragged end): exactly the
    /// first count floats are copied, from and to offsets that are not vector-aligned, and the floats on either side of
    /// the destination range are left as they were (NaN sentinels).
    /// </summary>
    [Fact]
    public unsafe void Apply_EveryShortCount_CopiesExactlyTheRange()
    {
        float[] source = KernelAssert.Random(80, 31);
        for (int count = 0; count <= 70; count++)
        {
            float[] destination = new float[80];
            Array.Fill(destination, float.NaN);
            fixed (float* ps = source, pd = destination) ShortCopy.Apply(ps + 3, pd + 5, count);
            for (int i = 0; i < destination.Length; i++)
            {
                if (i >= 5 && i < 5 + count) Assert.Equal(source[i - 2], destination[i]);
                else Assert.True(float.IsNaN(destination[i]), $"count {count}: float {i} written");
            }
        }
    }
}
