using ModelAudit.Tensors.Kernels;
using FusedActivation = ModelAudit.Tensors.Operations.FusedActivation;

namespace ModelAudit.Tensors.Tests.Kernels;

public class SgemmTests
{
    private const double RelTol = 1e-5;

    /// <summary>Double-precision reference of C = alpha op(A) op(B) + beta C (beta 0: C not read).</summary>
    private static double[] Reference(bool transA, bool transB, int m, int n, int k, float alpha, float[] a, int lda,
        float[] b, int ldb, float beta, float[] c, int ldc)
    {
        var result = new double[c.Length];
        for (int i = 0; i < c.Length; i++) result[i] = c[i];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = transA ? a[p * lda + i] : a[i * lda + p];
                    double bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                }
                result[i * ldc + j] = beta == 0 ? alpha * sum : alpha * sum + beta * (double)c[i * ldc + j];
            }
        }
        return result;
    }

    private static void Check(bool transA, bool transB, int m, int n, int k, float alpha, float beta, int pad, bool nanC = false)
    {
        int lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad;
        float[] a = KernelAssert.Random(Math.Max(1, (transA ? k : m) * lda), seed: m * 31 + n);
        float[] b = KernelAssert.Random(Math.Max(1, (transB ? n : k) * ldb), seed: n * 17 + k);
        float[] c = KernelAssert.Random(Math.Max(1, m * ldc), seed: k * 7 + m);
        if (nanC) Array.Fill(c, float.NaN);
        double[] expected = Reference(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        Sgemm.Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        // Padding columns of C (beyond n) must be untouched: compare the whole buffer.
        if (nanC)
        {
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++) Assert.False(float.IsNaN(c[i * ldc + j]), $"NaN leaked from C at ({i}, {j})");
            }
            for (int i = 0; i < expected.Length; i++) if (double.IsNaN(expected[i])) expected[i] = 0;
            for (int i = 0; i < c.Length; i++) if (float.IsNaN(c[i])) c[i] = 0;
        }
        KernelAssert.Close(expected, c, RelTol);
    }

    public static TheoryData<bool, bool> TransCombinations => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Theory]
    [MemberData(nameof(TransCombinations))]
    public void Multiply_OddSizes_MatchesDoubleReference(bool transA, bool transB)
    {
        int[] sizes = [1, 7, 33, 65, 129, 257];
        foreach (int m in sizes)
        {
            foreach (int n in sizes)
            {
                Check(transA, transB, m, n, k: (m + n) % 97 + 1, alpha: 1f, beta: 0f, pad: 0);
            }
        }
    }

    [Theory]
    [MemberData(nameof(TransCombinations))]
    public void Multiply_SkinnyUnpackedShapes_MatchesDoubleReference(bool transA, bool transB)
    {
        // The unpacked path: 1-, 8- and 16-wide column blocks and short dot products.
        foreach (var (m, n, k) in new[] { (512, 16, 2), (512, 1, 16), (512, 16, 1), (16, 1, 512), (2, 16, 512), (40, 25, 3), (9, 7, 5) })
        {
            Check(transA, transB, m, n, k, alpha: 1f, beta: 0f, pad: 0);
            Check(transA, transB, m, n, k, alpha: 0.5f, beta: 2f, pad: 3);
        }
    }

    [Theory]
    [MemberData(nameof(TransCombinations))]
    public void Multiply_LargeK_CrossesDepthBlocks(bool transA, bool transB)
        => Check(transA, transB, m: 65, n: 129, k: 600, alpha: 1f, beta: 0f, pad: 0);

    [Theory]
    [MemberData(nameof(TransCombinations))]
    public void Multiply_ManyRows_CrossesRowBlocks(bool transA, bool transB)
        => Check(transA, transB, m: 2 * Sgemm.BlockM + 7, n: 130, k: 300, alpha: 1f, beta: 0f, pad: 0);

    [Theory]
    [MemberData(nameof(TransCombinations))]
    public void Multiply_StridesWiderThanMatrix_LeavesPaddingAndMatches(bool transA, bool transB)
    {
        Check(transA, transB, m: 33, n: 65, k: 257, alpha: 1f, beta: 0f, pad: 5);
        Check(transA, transB, m: 7, n: 3, k: 5, alpha: 1f, beta: 0f, pad: 3);
    }

    [Theory]
    [InlineData(2f, 0f)]
    [InlineData(1f, 1f)]
    [InlineData(-0.5f, 0.25f)]
    [InlineData(0f, 3f)]
    [InlineData(0f, 0f)]
    public void Multiply_AlphaBetaVariants_MatchesDoubleReference(float alpha, float beta)
    {
        foreach ((bool transA, bool transB) in new[] { (false, false), (true, true), (false, true), (true, false) })
        {
            Check(transA, transB, m: 129, n: 257, k: 300, alpha, beta, pad: 2);
            Check(transA, transB, m: 7, n: 9, k: 11, alpha, beta, pad: 1);
        }
    }

    [Theory]
    [MemberData(nameof(TransCombinations))]
    public void Multiply_BetaZeroWithNaNInC_DoesNotPropagateNaN(bool transA, bool transB)
    {
        Check(transA, transB, m: 65, n: 257, k: 129, alpha: 1.5f, beta: 0f, pad: 1, nanC: true);
        Check(transA, transB, m: 5, n: 6, k: 7, alpha: 1f, beta: 0f, pad: 0, nanC: true);
    }

    [Fact]
    public void Multiply_ZeroK_ScalesCByBeta()
    {
        float[] c = [1, 2, 3, 4];
        Sgemm.Multiply(false, false, 2, 2, 0, 1f, [], 1, [], 2, 0.5f, c, 2);
        Assert.Equal(new float[] { 0.5f, 1, 1.5f, 2 }, c);
    }

    [Fact]
    public void Multiply_SameInputs_IdenticalToTheLastBit()
    {
        const int m = 200, n = 300, k = 700;
        float[] a = KernelAssert.Random(m * k, 1), b = KernelAssert.Random(k * n, 2);
        float[] first = new float[m * n], second = new float[m * n], serial = new float[m * n];
        Sgemm.Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, first, n);
        Sgemm.Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, second, n);
        Sgemm.Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, serial, n, parallel: false);
        Assert.Equal(first, second);
        Assert.Equal(first, serial);
    }

    [Theory]
    [MemberData(nameof(TransCombinations))]
    public void Multiply_SkinnyRowVector_MatchesReferenceAndSerialBitwise(bool transA, bool transB)
    {
        Check(transA, transB, m: 1, n: 3001, k: 257, alpha: 1f, beta: 0.5f, pad: 3);
        Check(transA, transB, m: 2, n: 1000, k: 700, alpha: 1f, beta: 0f, pad: 0);
        const int m = 2, n = 2049, k = 300;
        float[] a = KernelAssert.Random(m * k, 5), b = KernelAssert.Random(k * n, 6);
        float[] parallel = new float[m * n], serial = new float[m * n];
        int lda = transA ? m : k, ldb = transB ? k : n;
        Sgemm.Multiply(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, parallel, n);
        Sgemm.Multiply(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, serial, n, parallel: false);
        Assert.Equal(serial, parallel);
    }

    /// <summary>
    /// B given as row pointers (rows scattered through a larger buffer, in shuffled order) against the same rows stored
    /// densely: the same packed panels, so the same bits, with A rows in one block (B packed panel by panel) and in
    /// several (B packed per block), rows read in place (fewer A rows than a block) and packed (a block of rows: 96, 200),
    /// depth past one block, a ragged last panel, and the epilogue's bias and ReLU.
    /// </summary>
    [Theory]
    [InlineData(64, 700, 300, false)]
    [InlineData(95, 300, 300, false)]
    [InlineData(96, 300, 300, false)]
    [InlineData(200, 131, 600, true)]
    [InlineData(7, 1000, 257, true)]
    public unsafe void MultiplyRows_ScatteredRows_BitIdenticalToDenseB(int m, int n, int k, bool transA)
    {
        float[] a = KernelAssert.Random(m * k, 41), dense = KernelAssert.Random(k * n, 42), bias = KernelAssert.Random(m, 43);
        int[] order = [.. Enumerable.Range(0, k).OrderBy(p => (p * 7919) % k)];
        int stride = n + 5;
        float[] scattered = KernelAssert.Random(k * stride + 3, 44);
        for (int p = 0; p < k; p++) dense.AsSpan(p * n, n).CopyTo(scattered.AsSpan(order[p] * stride + 3, n));
        float[] expected = new float[m * n], actual = new float[m * n];
        int lda = transA ? m : k;
        fixed (float* pb = bias, ps = scattered)
        {
            var epilogue = new GemmEpilogue(pb, null, FusedActivation.Relu);
            Sgemm.Multiply(transA, false, m, n, k, 1f, a, lda, dense, n, 0f, expected, n, parallel: true, epilogue);
            var rows = new nint[k];
            for (int p = 0; p < k; p++) rows[p] = (nint)(ps + order[p] * stride + 3);
            fixed (nint* prows = rows)
                Sgemm.MultiplyRows(transA, m, n, k, 1f, a, lda, (float**)prows, 0f, actual, n, parallel: true, epilogue);
        }
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
        Assert.Contains(actual, v => v == 0f);
        Assert.Contains(actual, v => v > 0f);
    }

    /// <summary>
    /// With one block of A rows a plain B is read in place (no packing copy) and a transposed B is packed: the panels
    /// hold the same values, so the products agree bit for bit (full panels, a ragged one, depth past one block).
    /// </summary>
    [Theory]
    [InlineData(64, 700, 600)]
    [InlineData(96, 128, 257)]
    [InlineData(5, 200, 40)]
    public void Multiply_PlainBInPlaceVersusTransposedPacked_BitIdentical(int m, int n, int k)
    {
        float[] a = KernelAssert.Random(m * k, 51), b = KernelAssert.Random(k * n, 52);
        var bt = new float[n * k];
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++) bt[j * k + p] = b[p * n + j];
        float[] plain = new float[m * n], transposed = new float[m * n];
        Assert.False(Sgemm.IsSmall(m, n, k));
        Sgemm.Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, plain, n, parallel: false);
        Sgemm.Multiply(false, true, m, n, k, 1f, a, k, bt, k, 0f, transposed, n, parallel: false);
        Assert.Equal(transposed.Select(BitConverter.SingleToInt32Bits), plain.Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>
    /// A transposed A is packed by dealing each k step's contiguous run out to the 6-row panels, a plain A panel by panel:
    /// the panels hold the same values, so the products agree bit for bit (full panels, a ragged last panel, two row
    /// blocks, depth past one block, a row stride wider than the matrix).
    /// </summary>
    [Theory]
    [InlineData(2 * 96 + 7, 130, 300, 0)]
    [InlineData(6, 128, 64, 0)]
    [InlineData(101, 70, 257, 5)]
    public void Multiply_TransposedAVersusPlain_BitIdentical(int m, int n, int k, int pad)
    {
        float[] a = KernelAssert.Random(m * k, 53), b = KernelAssert.Random(k * n, 54);
        int ldt = m + pad;
        var at = new float[k * ldt];
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++) at[p * ldt + i] = a[i * k + p];
        float[] plain = new float[m * n], transposed = new float[m * n];
        Assert.False(Sgemm.IsSmall(m, n, k));
        Sgemm.Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, plain, n, parallel: false);
        Sgemm.Multiply(true, false, m, n, k, 1f, at, ldt, b, n, 0f, transposed, n, parallel: false);
        Assert.Equal(plain.Select(BitConverter.SingleToInt32Bits), transposed.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Multiply_ShortSpan_ThrowsNamingArgument()
    {
        var error = Assert.Throws<ArgumentException>(() => Sgemm.Multiply(false, false, 4, 4, 4, 1f, new float[15], 4, new float[16], 4, 0f, new float[16], 4));
        Assert.Equal("a", error.ParamName);
    }
}
