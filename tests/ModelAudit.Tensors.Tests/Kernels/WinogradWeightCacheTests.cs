using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Tests.Kernels;

/// <summary>The transformed-weights cache: reuse only while the weights are bit for bit the same, and a hard capacity.</summary>
public class WinogradWeightCacheTests
{
    /// <summary>
    /// Random weights in a pinned array: entries are found by address, and a collection moving an unpinned array between
    /// two lookups (tests run beside others that allocate) would read as new weights.
    /// </summary>
    private static float[] Pinned(int length, int seed)
    {
        var array = GC.AllocateArray<float>(length, pinned: true);
        KernelAssert.Random(length, seed).CopyTo(array, 0);
        return array;
    }

    [Fact]
    public unsafe void Get_SameWeightsTwice_TransformsOnce()
    {
        var cache = new WinogradWeightCache(1 << 20);
        float[] w = Pinned(90, 1);
        var transforms = new CountedTransform();
        fixed (float* pw = w)
        {
            using var first = cache.Get(pw, w.Length, 0, (10, 1), 160, transforms.Run);
            using var second = cache.Get(pw, w.Length, 0, (10, 1), 160, transforms.Run);
            Assert.Same(first.Array, second.Array);
            Assert.Equal(w[0] * 2, second.Array[0]);
        }
        Assert.Equal(1, transforms.Calls);
        Assert.Equal(90 + 160, cache.Floats);
    }

    [Fact]
    public unsafe void Get_WeightsEditedInPlace_TransformsAfresh()
    {
        var cache = new WinogradWeightCache(1 << 20);
        float[] w = Pinned(90, 2);
        var transforms = new CountedTransform();
        fixed (float* pw = w)
        {
            using (cache.Get(pw, w.Length, 0, (10, 1), 160, transforms.Run)) { }
            // Pruning zeroes weights in place; -0 for +0 is an edit too (bit for bit).
            w[37] = -0f * Math.Sign(w[37]);
            using var edited = cache.Get(pw, w.Length, 0, (10, 1), 160, transforms.Run);
            Assert.Equal(2, transforms.Calls);
            Assert.Equal(w[37] * 2, edited.Array[37]);
            // The other role of the same weights is a separate entry (sharing the edited weights' copy).
            using (cache.Get(pw, w.Length, 1, (10, 1), 160, transforms.Run)) { }
            Assert.Equal(3, transforms.Calls);
        }
        Assert.Equal(90 + 2 * 160, cache.Floats);
    }

    /// <summary>
    /// Both roles of one set of weights keep one copy between them (one copy and two transforms, where separate copies
    /// would take 500 floats); an edit seen by one role gives it a fresh copy, which the other role takes over on its next
    /// (missed) lookup, and the stale copy goes with its last entry.
    /// </summary>
    [Fact]
    public unsafe void Get_TwoRolesOfTheSameWeights_ShareOneCopy()
    {
        var cache = new WinogradWeightCache(2 * 90 + 2 * 160);
        float[] w = Pinned(90, 4);
        var transforms = new CountedTransform();
        void Ask(int role, int calls)
        {
            fixed (float* pw = w)
            using (var lease = cache.Get(pw, w.Length, role, (10, 1), 160, transforms.Run))
                Assert.Equal(w[11] * 2, lease.Array[11]);
            Assert.Equal(calls, transforms.Calls);
        }
        Ask(0, 1);
        Ask(1, 2);
        Assert.Equal(90 + 2 * 160, cache.Floats);
        Ask(0, 2);
        Ask(1, 2);
        w[11] += 1f;
        Ask(1, 3);      // a new copy for role 1; role 0's old copy stays while role 0's entry holds it
        Assert.Equal(2 * 90 + 2 * 160, cache.Floats);
        Ask(0, 4);      // role 0 shares role 1's copy; the old one is dropped
        Assert.Equal(90 + 2 * 160, cache.Floats);
        Ask(0, 4);
        Ask(1, 4);
    }

    [Fact]
    public unsafe void Get_SameFloatsAsAnotherShape_TransformsAfresh()
    {
        var cache = new WinogradWeightCache(1 << 20);
        float[] w = Pinned(90, 6);
        var transforms = new CountedTransform();
        fixed (float* pw = w)
        {
            using (cache.Get(pw, w.Length, 0, (10, 1), 160, transforms.Run)) { }
            using (cache.Get(pw, w.Length, 0, (5, 2), 160, transforms.Run)) { }
        }
        Assert.Equal(2, transforms.Calls);
    }

    [Fact]
    public unsafe void Get_BeyondCapacity_TransformsEveryCallAndKeepsNothing()
    {
        var cache = new WinogradWeightCache(200);
        float[] w = Pinned(90, 3);
        var transforms = new CountedTransform();
        fixed (float* pw = w)
        {
            for (int i = 0; i < 3; i++)
            {
                using var lease = cache.Get(pw, w.Length, 0, (10, 1), 160, transforms.Run);
                Assert.Equal(w[89] * 2, lease.Array[89]);
            }
        }
        Assert.Equal(3, transforms.Calls);
        Assert.Equal(0, cache.Floats);
    }

    /// <summary>
    /// A full cache and another model's weights: their first request is not kept (they may be a one-off); on their second
    /// they displace the entries unused since their first, least recently used first, and are then found.
    /// </summary>
    [Fact]
    public unsafe void Get_NewWeightsAskedTwiceWhenFull_DisplaceEntriesUnusedSince()
    {
        var cache = new WinogradWeightCache(2 * (90 + 160));
        float[] a1 = Pinned(90, 11), a2 = Pinned(90, 12), b1 = Pinned(90, 13);
        var transforms = new CountedTransform();
        void Ask(float[] w)
        {
            fixed (float* pw = w)
            using (var lease = cache.Get(pw, w.Length, 0, (10, 1), 160, transforms.Run))
                Assert.Equal(w[5] * 2, lease.Array[5]);
        }
        Ask(a1);
        Ask(a2);
        Ask(a1);
        Assert.Equal(2, transforms.Calls);
        Ask(b1);                // full, and b1 never asked for: transformed, not kept
        Assert.Equal(3, transforms.Calls);
        Assert.Equal(2 * (90 + 160), cache.Floats);
        Ask(b1);                // asked before; a2 (last used before b1's first request) makes room
        Ask(b1);                // found
        Assert.Equal(4, transforms.Calls);
        Ask(a1);                // a1 kept its place (used more recently than b1's first request)
        Assert.Equal(4, transforms.Calls);
        Ask(a2);                // a2 was evicted
        Assert.Equal(5, transforms.Calls);
    }

    /// <summary>Cycling through more weights than fit: the cached ones stay, only the rest is transformed each pass (no churn).</summary>
    [Fact]
    public unsafe void Get_CycleLargerThanCapacity_KeepsTheCachedOnes()
    {
        var cache = new WinogradWeightCache(2 * (90 + 160));
        float[][] weights = [Pinned(90, 21), Pinned(90, 22), Pinned(90, 23)];
        var transforms = new CountedTransform();
        for (int pass = 0; pass < 5; pass++)
        {
            foreach (float[] w in weights)
            {
                fixed (float* pw = w)
                using (var lease = cache.Get(pw, w.Length, 0, (10, 1), 160, transforms.Run))
                    Assert.Equal(w[7] * 2, lease.Array[7]);
            }
        }
        Assert.Equal(3 + 4, transforms.Calls);
    }

    /// <summary>The convolution through the shared cache: weights edited in place between calls give the edited result.</summary>
    [Fact]
    public unsafe void Forward_WeightsEditedBetweenCalls_MatchesFreshWeights()
    {
        var g = new Conv2dGeometry(2, 16, 12, 12, 18, 3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1);
        if (!Conv2dWinograd.Applies(g)) return;
        float[] x = KernelAssert.Random((int)Conv2d.InputLength(g), 4), w = KernelAssert.Random((int)Conv2d.WeightLength(g), 5);
        var y = new float[Conv2d.OutputLength(g)];
        Conv2d.Forward(g, x, w, [], y);
        for (int i = 0; i < 9 * 16; i++) w[5 * 9 * 16 + i] = 0; // output channel 5 pruned in place
        Conv2d.Forward(g, x, w, [], y);
        float[] fresh = (float[])w.Clone();
        var expected = new float[y.Length];
        Conv2d.Forward(g, x, fresh, [], expected);
        Assert.Equal(expected, y);
        Assert.All(y.AsSpan(5 * 144, 144).ToArray(), v => Assert.Equal(0f, v));
    }

    /// <summary>A stand-in transform (twice the first 90 floats, then zeros) that counts its calls.</summary>
    private sealed class CountedTransform
    {
        public int Calls { get; private set; }

        public unsafe void Run(float* src, float* dst)
        {
            Calls++;
            for (int i = 0; i < 160; i++) dst[i] = i < 90 ? src[i] * 2 : 0;
        }
    }
}
