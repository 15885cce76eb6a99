using ModelAudit.Tensors.Kernels;

namespace ModelAudit.Tensors.Tests.Kernels;

/// <summary>The kernels' worker threads: every chunk once, errors to the caller, nested and concurrent loops complete.</summary>
[Collection(KernelParallelCollection.Name)]
public class KernelWorkersTests
{
    [Theory]
    [InlineData(2, 2)]
    [InlineData(1000, 2)]
    [InlineData(7, 4)]
    [InlineData(1001, 8)]
    public void TryRun_Chunks_EveryIndexExactlyOnce(int count, int chunks)
    {
        var visits = new int[count];
        for (int round = 0; round < 50; round++)
        {
            Array.Clear(visits);
            Assert.True(KernelWorkers.TryRun(count, chunks, (start, end) =>
            {
                for (int i = start; i < end; i++) Interlocked.Increment(ref visits[i]);
            }));
            Assert.All(visits, v => Assert.Equal(1, v));
        }
    }

    [Fact]
    public void TryRun_ChunkThrows_CallerGetsTheException()
    {
        var error = Assert.Throws<InvalidOperationException>(() => KernelWorkers.TryRun(4, 4, (start, _) =>
        {
            if (start == 2) throw new InvalidOperationException("chunk 2");
        }));
        Assert.Equal("chunk 2", error.Message);
        // The workers are free again afterwards.
        int sum = 0;
        Assert.True(KernelWorkers.TryRun(4, 4, (start, end) => Interlocked.Add(ref sum, end - start)));
        Assert.Equal(4, sum);
    }

    [Fact]
    public void For_NestedInsideAChunk_RunsEverything()
    {
        int before = KernelParallel.MaxDegree;
        KernelParallel.MaxDegree = 2;
        try
        {
            long total = 0;
            KernelParallel.For(4, 1L << 20, (start, end) =>
            {
                for (int i = start; i < end; i++)
                    KernelParallel.For(100, 1L << 20, (a, b) => Interlocked.Add(ref total, b - a));
            });
            Assert.Equal(400, total);
        }
        finally
        {
            KernelParallel.MaxDegree = before;
        }
    }

    [Fact]
    public void For_ConcurrentCallers_EachGetsItsWholeRange()
    {
        int before = KernelParallel.MaxDegree;
        KernelParallel.MaxDegree = 2;
        try
        {
            var sums = new long[8];
            Parallel.For(0, sums.Length, caller =>
            {
                for (int round = 0; round < 200; round++)
                    KernelParallel.For(64, 1L << 20, (start, end) => Interlocked.Add(ref sums[caller], end - start));
            });
            Assert.All(sums, s => Assert.Equal(200 * 64, s));
        }
        finally
        {
            KernelParallel.MaxDegree = before;
        }
    }
}
