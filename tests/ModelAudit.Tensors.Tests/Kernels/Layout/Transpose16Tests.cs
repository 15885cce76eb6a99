using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ModelAudit.Tensors.Kernels.Layout;

namespace ModelAudit.Tensors.Tests.Kernels.Layout;

public class Transpose16Tests
{
    [Fact]
    public void Apply_DistinctValues_EveryElementAtItsMirror()
    {
        if (!Avx512F.IsSupported) return; // the transpose is an AVX-512 kernel; its callers take other paths without it
        var r = new Vector512<float>[16];
        for (int i = 0; i < 16; i++) r[i] = Vector512.Create(Enumerable.Range(0, 16).Select(j => (float)(100 * i + j)).ToArray());
        Transpose16.Apply(ref r[0], ref r[1], ref r[2], ref r[3], ref r[4], ref r[5], ref r[6], ref r[7],
            ref r[8], ref r[9], ref r[10], ref r[11], ref r[12], ref r[13], ref r[14], ref r[15]);
        for (int i = 0; i < 16; i++)
            for (int j = 0; j < 16; j++)
                Assert.Equal(100 * j + i, r[i][j]);
    }
}
