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
    public void Rent_LargeScratchReturned_ReusedByASmallerRequest()
    {
        // Above 4 MiB of floats a returned scratch array is kept and serves any request that fits, so a model's
        // im2col columns reuse one array per core instead of allocating one per call.
        var scratch = new ScratchBuffer();
        var large = scratch.Rent(3 << 20);
        Assert.True(large.Length >= 3 << 20);
        scratch.Return(large);
        var again = scratch.Rent(2 << 20);
        Assert.Same(large, again);
        Assert.NotSame(again, scratch.Rent(2 << 20));
        scratch.Return(again);
        Assert.True(scratch.Rent(1000).Length >= 1000);
    }
}
