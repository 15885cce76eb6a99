using ModelAudit.Tensors;
using ModelAudit.Tensors.Graph;

namespace ModelAudit.Nif;

/// <summary>
/// MINE for many pairs at once: the statistics networks of all E pairs are one engine graph with weights
/// shaped [E, ...] (batched MatMul [E,R,2]x[E,2,H], bias [E,1,H], ReLU, MatMul [E,R,H]x[E,H,1]),
/// where the R = 2B rows of a step are B joint samples (x_n, y_n) followed by B marginal samples
/// (x_n, y_pi(n)), pi a seeded shuffle within the batch. Each step runs one forward, computes the gradient
/// of the negative Donsker-Varadhan bound with respect to T by hand (E_Q[e^T] in the denominator replaced by
/// its moving average), runs one backward to the parameters and updates them by Adam in place.
/// </summary>
internal sealed class BatchedMine
{
    private const double AdamBeta1 = 0.9;
    private const double AdamBeta2 = 0.999;
    private const double AdamEpsilon = 1e-8;

    private readonly MineOptions _options;

    public BatchedMine(MineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>
    /// Estimates I(x_e; y_e) in bits for every pair e (not clipped). <paramref name="x"/>[e] and
    /// <paramref name="y"/>[e] are the N samples of the pair; they should be standardised and may be shared
    /// between pairs. The same seed gives the same estimates to the last digit.
    /// </summary>
    public double[] Estimate(IReadOnlyList<float[]> x, IReadOnlyList<float[]> y, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"{x.Count} x columns but {y.Count} y columns.", nameof(y));
        int edges = x.Count;
        if (edges == 0) return [];
        int samples = x[0].Length;
        for (int e = 0; e < edges; e++)
            if (x[e].Length != samples || y[e].Length != samples)
                throw new ArgumentException($"Pair {e} has {x[e].Length} and {y[e].Length} samples; expected {samples}.", nameof(x));
        if (samples < 2) throw new ArgumentException("MINE needs at least 2 samples.", nameof(x));

        int batch = Math.Min(_options.BatchSize, samples);
        int rows = 2 * batch;
        int hidden = _options.Hidden;
        var random = new Random(seed);
        using var network = StatisticsNetwork.Create(edges, rows, hidden, random);
        var adam = network.Parameters.Select(p => new AdamState(p.Length)).ToArray();

        var order = Enumerable.Range(0, samples).ToArray();
        var batchRows = new int[batch];
        var shuffle = new int[batch];
        var movingAverage = new double[edges];
        var dvSum = new double[edges];
        var inputHost = new float[edges * rows * 2];
        var seedHost = new float[edges * rows];
        int averaged = Math.Min(_options.AveragedSteps, _options.Steps);

        for (int step = 0; step < _options.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            DrawBatch(random, order, batchRows);
            for (int i = 0; i < batch; i++) shuffle[i] = i;
            Shuffle(random, shuffle);
            FillPairs(x, y, batchRows, shuffle, inputHost);

            using var input = Tensor.FromArray(inputHost, edges, rows, 2);
            using var pass = network.Executor.Forward(new Dictionary<int, Tensor> { [network.InputId] = input }, new ForwardOptions { RecordForBackward = true });
            var t = pass[network.OutputId];
            // A step over thousands of pairs takes a tenth of a second or more: check between its halves too.
            cancellationToken.ThrowIfCancellationRequested();
            bool record = step >= _options.Steps - averaged;
            SeedsFromBound(t, edges, batch, step == 0, movingAverage, record ? dvSum : null, seedHost);
            using var seedTensor = Tensor.FromArray(seedHost, edges, rows, 1);
            using var gradients = pass.Backward(new Dictionary<int, Tensor> { [network.OutputId] = seedTensor }, network.ParameterIds);
            for (int p = 0; p < network.Parameters.Length; p++)
                adam[p].Step(network.Parameters[p], gradients[network.ParameterIds[p]], step + 1, _options.LearningRate);
        }

        var bits = new double[edges];
        for (int e = 0; e < edges; e++) bits[e] = dvSum[e] / averaged / Math.Log(2);
        return bits;
    }

    /// <summary>B distinct sample indices: all samples when B = N, else the first B of a seeded partial shuffle.</summary>
    private static void DrawBatch(Random random, int[] order, int[] batchRows)
    {
        int n = order.Length, b = batchRows.Length;
        for (int i = 0; i < b && b < n; i++)
        {
            int j = i + random.Next(n - i);
            (order[i], order[j]) = (order[j], order[i]);
        }
        Array.Copy(order, batchRows, b);
    }

    private static void Shuffle(Random random, int[] items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>Rows [0, B): joint (x_n, y_n); rows [B, 2B): marginal (x_n, y_shuffle(n)); one block per pair.</summary>
    private static void FillPairs(IReadOnlyList<float[]> x, IReadOnlyList<float[]> y, int[] batchRows, int[] shuffle, float[] host)
    {
        int batch = batchRows.Length, rows = 2 * batch;
        Parallel.For(0, x.Count, e =>
        {
            var xe = x[e];
            var ye = y[e];
            var block = host.AsSpan(e * rows * 2, rows * 2);
            for (int r = 0; r < batch; r++)
            {
                int n = batchRows[r];
                float xv = xe[n];
                block[2 * r] = xv;
                block[2 * r + 1] = ye[n];
                block[2 * (batch + r)] = xv;
                block[2 * (batch + r) + 1] = ye[batchRows[shuffle[r]]];
            }
        });
    }

    /// <summary>
    /// Gradient of the loss -(mean_P T - mean_Q e^T / ma) with respect to T, per pair: -1/B on joint rows,
    /// e^T / (B ma) on marginal rows, where ma is the moving average of mean_Q e^T (initialised with the first
    /// batch). Also adds the batch DV bound mean_P T - log mean_Q e^T (nats) into <paramref name="dvSum"/>.
    /// </summary>
    private void SeedsFromBound(Tensor t, int edges, int batch, bool first, double[] movingAverage, double[]? dvSum, float[] seeds)
    {
        int rows = 2 * batch;
        double rate = _options.MovingAverageRate;
        // Pairs are independent: each writes only its own seeds, average and DV sum.
        Parallel.For(0, edges, e =>
        {
            var te = t.Span.Slice(e * rows, rows);
            double jointSum = 0, max = double.NegativeInfinity;
            for (int r = 0; r < batch; r++) jointSum += te[r];
            for (int r = batch; r < rows; r++) max = Math.Max(max, te[r]);
            double scaledSum = 0;
            for (int r = batch; r < rows; r++) scaledSum += Math.Exp(te[r] - max);
            // mean_Q e^T = e^max * scaledSum / B, kept as a logarithm so large T cannot overflow.
            double logMeanExp = max + Math.Log(scaledSum / batch);
            double meanExp = Math.Exp(logMeanExp);
            movingAverage[e] = first ? meanExp : (1 - rate) * movingAverage[e] + rate * meanExp;
            if (dvSum is not null) dvSum[e] += jointSum / batch - logMeanExp;
            var se = seeds.AsSpan(e * rows, rows);
            float jointSeed = -1f / batch;
            for (int r = 0; r < batch; r++) se[r] = jointSeed;
            double logDenominator = Math.Log(batch * movingAverage[e]);
            for (int r = batch; r < rows; r++) se[r] = (float)Math.Exp(te[r] - logDenominator);
        });
    }

    /// <summary>Adam moments of one parameter tensor.</summary>
    private sealed class AdamState(int length)
    {
        private readonly double[] _m = new double[length];
        private readonly double[] _v = new double[length];

        public void Step(Tensor parameterTensor, Tensor gradientTensor, int t, double learningRate)
        {
            int length = parameterTensor.Length;
            double c1 = 1 - Math.Pow(AdamBeta1, t), c2 = 1 - Math.Pow(AdamBeta2, t);
            // Element-wise: chunks of elements in parallel, each element updated by one thread.
            const int chunk = 1 << 14;
            int chunks = (length + chunk - 1) / chunk;
            Parallel.For(0, chunks, c =>
            {
                int end = Math.Min(length, (c + 1) * chunk);
                var p = parameterTensor.Span;
                var gr = gradientTensor.Span;
                for (int i = c * chunk; i < end; i++)
                {
                    double g = gr[i];
                    _m[i] = AdamBeta1 * _m[i] + (1 - AdamBeta1) * g;
                    _v[i] = AdamBeta2 * _v[i] + (1 - AdamBeta2) * g * g;
                    p[i] -= (float)(learningRate * (_m[i] / c1) / (Math.Sqrt(_v[i] / c2) + AdamEpsilon));
                }
            });
        }
    }
}
