using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace ModelAudit.Tensors.Kernels;

/// <summary>
/// The threads behind <see cref="KernelParallel.For"/>: a few long-lived workers that keep spinning for a while after
/// each loop, so the next loop starts on them at once. The .NET thread pool parks an idle worker after a short spin,
/// and waking a parked thread in a virtual machine took 130 us here after a 1 ms serial gap (28 us after 200 us),
/// against loops of 0.1-5 ms, a few hundred of them per forward pass. Chunks are handed out one at a time to the caller
/// and the workers; which thread runs a chunk never changes its result. One loop runs on the workers at a time: a
/// loop started while another runs (another caller, or a loop inside a chunk) takes the thread pool instead.
/// </summary>
internal static class KernelWorkers
{
    /// <summary>How long a worker spins for the next loop before it blocks (the CPU it burns when the caller goes quiet).</summary>
    private const long SpinMicroseconds = 2000;

    private static readonly object Gate = new();
    private static readonly ManualResetEventSlim Wake = new(false);
    private static readonly List<Thread> Threads = [];
    private static Job? _current;
    private static long _generation;

    /// <summary>Whether this thread is running a chunk (a nested loop then goes to the thread pool).</summary>
    [ThreadStatic]
    private static bool _inChunk;

    /// <summary>
    /// Runs <paramref name="body"/> over <paramref name="chunks"/> chunks of [0, <paramref name="count"/>) on the caller
    /// and the workers and returns true; false, having run nothing, when the workers are taken.
    /// </summary>
    public static bool TryRun(int count, int chunks, Action<int, int> body)
    {
        if (_inChunk || !Monitor.TryEnter(Gate)) return false;
        try
        {
            // One worker per further core at most: chunks beyond the cores are taken in turn, never oversubscribe spinning threads.
            while (Threads.Count < Math.Min(chunks, Environment.ProcessorCount) - 1) Start();
            var job = new Job(body, count, chunks);
            Volatile.Write(ref _current, job);
            Interlocked.Increment(ref _generation);
            Wake.Set();
            job.Run();
            job.AwaitAll();
            Wake.Reset();
            job.Error?.Throw();
            return true;
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    private static void Start()
    {
        var thread = new Thread(Work) { IsBackground = true, Name = "ModelAudit kernel worker" };
        thread.Start();
        Threads.Add(thread);
    }

    private static void Work()
    {
        long seen = Volatile.Read(ref _generation);
        while (true)
        {
            long spinStart = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _generation) == seen)
            {
                if (Stopwatch.GetElapsedTime(spinStart).TotalMicroseconds >= SpinMicroseconds)
                {
                    Wake.Wait();
                    // Still set for a loop this worker has already left (its last chunks running elsewhere): the wait
                    // returns at once, so yield here too rather than spin hot until the caller resets it.
                    if (Volatile.Read(ref _generation) == seen) Thread.Yield();
                    continue;
                }
                // A polite spin: the yield hands the core to any other ready thread (the thread pool's loops between
                // ours, as MINE's Adam steps) and returns at once when there is none.
                Thread.SpinWait(32);
                Thread.Yield();
            }
            seen = Volatile.Read(ref _generation);
            Volatile.Read(ref _current)?.Run();
        }
    }

    /// <summary>One loop: chunks taken in turn by whoever asks; the first exception is rethrown to the caller.</summary>
    private sealed class Job(Action<int, int> body, int count, int chunks)
    {
        private readonly int _chunks = chunks;
        private int _next;
        private int _pending = chunks;
        private bool _failed;

        public ExceptionDispatchInfo? Error { get; private set; }

        public void Run()
        {
            _inChunk = true;
            try
            {
                int chunk;
                while ((chunk = Interlocked.Increment(ref _next) - 1) < _chunks)
                {
                    try
                    {
                        // After a failure the remaining chunks are only counted off: the loop's result is the exception.
                        if (Volatile.Read(ref _failed)) continue;
                        (int start, int end) = KernelParallel.ChunkBounds(count, _chunks, chunk);
                        body(start, end);
                    }
                    catch (Exception e)
                    {
                        lock (this) Error ??= ExceptionDispatchInfo.Capture(e);
                        Volatile.Write(ref _failed, true);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _pending);
                    }
                }
            }
            finally
            {
                _inChunk = false;
            }
        }

        /// <summary>Waits (spinning: chunks are short) until every chunk has finished.</summary>
        public void AwaitAll()
        {
            var spinner = new SpinWait();
            while (Volatile.Read(ref _pending) != 0) spinner.SpinOnce(sleep1Threshold: -1);
        }
    }
}
