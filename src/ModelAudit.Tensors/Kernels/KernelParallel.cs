namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// The kernels' parallel loop: splits a range into one contiguous chunk per core, run by the caller and
/// <see cref="KernelWorkers"/>. Chunks only decide which thread writes which outputs; no kernel lets a chunk boundary
/// change the order of a sum, so results do not depend on the thread count.
/// </summary>
internal static class KernelParallel
{
    /// <summary>Below this many multiply-adds (or element visits) a loop runs on the calling thread.</summary>
    public const long MinParallelWork = 1L << 16;

    private static int _maxDegree = Environment.ProcessorCount;

    /// <summary>
    /// Number of workers a loop may use: the core count unless set lower (benchmarks compare engines at a
    /// fixed thread count). Results do not depend on it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public static int MaxDegree
    {
        get => Volatile.Read(ref _maxDegree);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref _maxDegree, value);
        }
    }

    /// <summary>Number of chunks a loop over <paramref name="count"/> items of <paramref name="workPerItem"/> each would use.</summary>
    public static int ChunkCount(int count, long workPerItem)
    {
        if (count <= 1 || MaxDegree == 1 || count * workPerItem < MinParallelWork) return Math.Min(count, 1);
        return Math.Min(count, MaxDegree);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(start, end) over contiguous chunks covering [0, <paramref name="count"/>),
    /// in parallel when the total work is large enough.
    /// </summary>
    public static void For(int count, long workPerItem, Action<int, int> body)
    {
        int chunks = ChunkCount(count, workPerItem);
        if (chunks == 0) return;
        if (chunks == 1)
        {
            body(0, count);
            return;
        }
        // Long-lived spinning workers (KernelWorkers); the thread pool when they are taken.
        if (KernelWorkers.TryRun(count, chunks, body)) return;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, chunk =>
        {
            (int start, int end) = ChunkBounds(count, chunks, chunk);
            body(start, end);
        });
    }

    /// <summary>Bounds of chunk <paramref name="chunk"/> when [0, count) is split into <paramref name="chunks"/> near-equal parts.</summary>
    public static (int Start, int End) ChunkBounds(int count, int chunks, int chunk)
    {
        int baseSize = count / chunks, extra = count % chunks;
        int start = chunk * baseSize + Math.Min(chunk, extra);
        return (start, start + baseSize + (chunk < extra ? 1 : 0));
    }
}
