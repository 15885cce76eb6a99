namespace ModelAudit.Analysis.Information;

/// <summary>A contiguous run of layers in depth order.</summary>
/// <param name="Name">early, intermediate or deep (or group-N beyond three).</param>
/// <param name="First">Index of the first layer.</param>
/// <param name="Count">Number of layers.</param>
public sealed record LayerGroup(string Name, int First, int Count);

/// <summary>
/// Splits the depth-ordered information-plane trajectory into contiguous groups (the paper's early,
/// intermediate and deep layers): the split that minimises the total within-group squared distance of
/// the plane points (I(X;T), I(T;Y)) to their group's mean, found exactly by dynamic programming.
/// Data-driven rather than equal thirds, so a group boundary falls where the trajectory turns.
/// </summary>
public sealed class LayerGroups(int groupCount = 3)
{
    /// <summary>The groups; fewer than asked when there are fewer layers.</summary>
    public IReadOnlyList<LayerGroup> Groups { get; private set; } = [];

    /// <summary>Group index per layer.</summary>
    public int[] Assignment { get; private set; } = [];

    /// <summary>Computes the split for the points (x_i, y_i) in depth order.</summary>
    public void Compute(IReadOnlyList<(double X, double Y)> points)
    {
        int n = points.Count;
        int g = Math.Min(groupCount, n);
        if (g == 0)
        {
            Groups = [];
            Assignment = [];
            return;
        }
        // cost[i, j] = squared deviation of points i..j-1 from their mean, from prefix sums.
        var sx = new double[n + 1];
        var sy = new double[n + 1];
        var sq = new double[n + 1];
        for (int i = 0; i < n; i++)
        {
            sx[i + 1] = sx[i] + points[i].X;
            sy[i + 1] = sy[i] + points[i].Y;
            sq[i + 1] = sq[i] + points[i].X * points[i].X + points[i].Y * points[i].Y;
        }
        double Cost(int i, int j)
        {
            int m = j - i;
            double mx = sx[j] - sx[i], my = sy[j] - sy[i];
            return sq[j] - sq[i] - (mx * mx + my * my) / m;
        }

        var best = new double[g + 1, n + 1];
        var cut = new int[g + 1, n + 1];
        for (int k = 0; k <= g; k++)
            for (int j = 0; j <= n; j++) best[k, j] = double.PositiveInfinity;
        best[0, 0] = 0;
        for (int k = 1; k <= g; k++)
        {
            for (int j = k; j <= n; j++)
            {
                for (int i = k - 1; i < j; i++)
                {
                    double c = best[k - 1, i] + Cost(i, j);
                    // Strict comparison keeps the earliest cut on ties: deterministic.
                    if (c < best[k, j] - 1e-15)
                    {
                        best[k, j] = c;
                        cut[k, j] = i;
                    }
                }
            }
        }

        var bounds = new int[g + 1];
        bounds[g] = n;
        for (int k = g; k > 0; k--) bounds[k - 1] = cut[k, bounds[k]];
        var groups = new List<LayerGroup>(g);
        var assignment = new int[n];
        for (int k = 0; k < g; k++)
        {
            groups.Add(new LayerGroup(Name(k, g), bounds[k], bounds[k + 1] - bounds[k]));
            for (int i = bounds[k]; i < bounds[k + 1]; i++) assignment[i] = k;
        }
        Groups = groups;
        Assignment = assignment;
    }

    private static string Name(int k, int g) => g switch
    {
        1 => "all",
        2 => k == 0 ? "early" : "deep",
        3 => k switch { 0 => "early", 1 => "intermediate", _ => "deep" },
        _ => $"group-{k + 1}",
    };
}
