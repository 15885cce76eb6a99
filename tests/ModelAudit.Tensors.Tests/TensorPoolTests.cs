using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Tests;

public sealed class TensorPoolTests
{
    [Fact]
    public void Trim_BuffersReturnedOnSeveralThreads_DrainedAndNoLongerReachable()
    {
        // Trim takes every idle buffer out (not just drops the bags, whose thread-local queues would keep them alive
        // until a finalizer ran): nothing is retained and a weak reference to a returned buffer dies at the next GC.
        var pool = new TensorPool();
        var weak = ReturnOnOtherThreads(pool);
        Assert.True(pool.RetainedElements > 0);
        pool.Trim();
        Assert.Equal(0, pool.RetainedElements);
        GC.Collect();
        Assert.False(weak.TryGetTarget(out _));
        long fresh = pool.FreshAllocationCount;
        pool.Rent(1000, clear: false);
        Assert.Equal(fresh + 1, pool.FreshAllocationCount);
    }

    private static WeakReference<float[]> ReturnOnOtherThreads(TensorPool pool)
    {
        WeakReference<float[]>? weak = null;
        var threads = Enumerable.Range(0, 3).Select(i => new Thread(() =>
        {
            var buffer = pool.Rent(1000, clear: false);
            if (i == 0) weak = new WeakReference<float[]>(buffer);
            pool.Return(buffer);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return weak!;
    }

    [Fact]
    public void Rent_LargeScratch_ExactLengthFromTheTensorPool()
    {
        // Above 4 MiB of floats a scratch array is exact-length (ArrayPool would round 1,000,001 up to 2^20 x 2).
        var large = ScratchBuffer.Rent((1 << 20) + 1);
        Assert.Equal((1 << 20) + 1, large.Length);
        ScratchBuffer.Return(large);
        Assert.True(ScratchBuffer.Rent(1000).Length >= 1000);
    }
}
