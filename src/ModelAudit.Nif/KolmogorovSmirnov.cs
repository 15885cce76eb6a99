namespace ModelAudit.Nif;

/// <summary>
/// Two-sided two-sample Kolmogorov-Smirnov test as scipy.stats.ks_2samp(method='auto') (scipy 1.10): the
/// statistic from the two empirical CDFs; the exact p-value (Hodges' lattice-path counts) when both samples
/// have at most 10000 values, else the asymptotic Kolmogorov distribution of sqrt(n1 n2 / (n1 + n2)) D
/// (scipy uses the finite-n kstwo there; the two agree to O(1/sqrt(n))).
/// </summary>
internal static class KolmogorovSmirnov
{
    private const int MaxExactSize = 10000;

    /// <summary>The statistic D and the two-sided p-value.</summary>
    public static (double Statistic, double PValue) TwoSample(IReadOnlyList<double> first, IReadOnlyList<double> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Count == 0 || second.Count == 0) throw new ArgumentException("Both samples need at least one value.");
        var a = first.OrderBy(v => v).ToArray();
        var b = second.OrderBy(v => v).ToArray();
        int n1 = a.Length, n2 = b.Length;
        double maxDiff = double.NegativeInfinity, minDiff = double.PositiveInfinity;
        foreach (var v in a.Concat(b))
        {
            double diff = (double)UpperBound(a, v) / n1 - (double)UpperBound(b, v) / n2;
            maxDiff = Math.Max(maxDiff, diff);
            minDiff = Math.Min(minDiff, diff);
        }
        double minS = Math.Clamp(-minDiff, 0, 1);
        double d = minS > maxDiff ? minS : maxDiff;
        double p;
        if (Math.Max(n1, n2) <= MaxExactSize && TryExact(n1, n2, ref d, out p))
        {
            return (d, Math.Clamp(p, 0, 1));
        }
        double m = Math.Max(n1, n2), n = Math.Min(n1, n2);
        double en = m * n / (m + n);
        return (d, Math.Clamp(KolmogorovSurvival(Math.Sqrt(en) * d), 0, 1));
    }

    /// <summary>Number of values in the sorted array that are at most <paramref name="value"/>.</summary>
    private static int UpperBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private static bool TryExact(int n1, int n2, ref double d, out double p)
    {
        int g = Gcd(n1, n2);
        long lcm = (long)(n1 / g) * n2;
        long h = (long)Math.Round(d * lcm, MidpointRounding.ToEven);
        d = (double)h / lcm;
        if (h == 0)
        {
            p = 1;
            return true;
        }
        p = n1 == n2 ? OutsideSquare(n1, (int)h) : OuterInside(n1, n2, g, h);
        return double.IsFinite(p) && p >= 0 && p <= 1;
    }

    /// <summary>Pr(D_{n,n} &gt;= h/n): the proportion of paths that pass outside the lines x - y = +-h.</summary>
    private static double OutsideSquare(int n, int h)
    {
        double total = 0;
        for (int k = n / h; k >= 0; k--)
        {
            double p1 = 1;
            for (int j = 0; j < h; j++) p1 = (n - k * h - j) * p1 / (n + k * h + j + 1);
            total = p1 * (1 - total);
        }
        return 2 * total;
    }

    /// <summary>
    /// The proportion of lattice paths from (0,0) to (m,n) that reach |x n/g - y m/g| &gt;= h, one column of
    /// the path-count table at a time with a sliding window, normalised as it goes.
    /// </summary>
    private static double OuterInside(int m, int n, int g, long h)
    {
        if (m < n) (m, n) = (n, m);
        long mg = m / g, ng = n / g;
        int minj = 0, maxj = (int)Math.Min((long)Math.Ceiling((double)h / mg), n + 1);
        int curlen = maxj - minj;
        int lenA = Math.Min(2 * maxj + 2, n + 1);
        var a = new double[lenA];
        Array.Fill(a, 1.0);
        for (int j = minj; j < maxj; j++) a[j] = 0;
        for (int i = 1; i <= m; i++)
        {
            int lastminj = minj, lastlen = curlen;
            minj = Math.Max((int)Math.Floor((double)(ng * i - h) / mg) + 1, 0);
            minj = Math.Min(minj, n);
            maxj = (int)Math.Min((long)Math.Ceiling((double)(ng * i + h) / mg), n + 1);
            if (maxj <= minj) return 1.0;
            double val = minj == 0 ? 0.0 : 1.0;
            for (int jj = 0; jj < maxj - minj; jj++)
            {
                int j = jj + minj;
                val = (a[jj + minj - lastminj] * i + val * j) / (i + j);
                a[jj] = val;
            }
            curlen = maxj - minj;
            if (lastlen > curlen)
                for (int r = maxj - minj; r < Math.Min(lenA, maxj - minj + (lastlen - curlen)); r++) a[r] = 1;
        }
        return a[maxj - minj - 1];
    }

    /// <summary>Q(z) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 z^2), the limiting Kolmogorov survival function.</summary>
    private static double KolmogorovSurvival(double z)
    {
        if (z <= 0) return 1;
        if (z < 0.2)
        {
            // The alternating series converges slowly here; use the Jacobi-transformed form of the CDF.
            double s = 0;
            for (int k = 1; k <= 50; k++)
            {
                double t = (2 * k - 1) * Math.PI / (8 * z * z) * (2 * k - 1) * Math.PI;
                s += Math.Exp(-t);
            }
            return 1 - Math.Sqrt(2 * Math.PI) / z * s;
        }
        double sum = 0;
        for (int k = 1; k <= 100; k++)
        {
            double term = Math.Exp(-2.0 * k * k * z * z);
            sum += (k % 2 == 1 ? term : -term);
            if (term < 1e-18) break;
        }
        return 2 * sum;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
