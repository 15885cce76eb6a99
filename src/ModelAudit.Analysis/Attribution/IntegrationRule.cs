namespace ModelAudit.Analysis.Attribution;

/// <summary>
/// The points (alphas) and weights (step sizes) of an <see cref="IntegrationMethod"/> with a given
/// number of points, computed as Captum's <c>approximation_methods</c> does so that results match it.
/// </summary>
public sealed class IntegrationRule
{
    private IntegrationRule(IntegrationMethod method, double[] alphas, double[] weights)
    {
        Method = method;
        Alphas = alphas;
        Weights = weights;
    }

    /// <summary>The method.</summary>
    public IntegrationMethod Method { get; }

    /// <summary>Points on [0,1], ascending.</summary>
    public IReadOnlyList<double> Alphas { get; }

    /// <summary>Step sizes, one per point.</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>Number of points.</summary>
    public int Count => Alphas.Count;

    /// <summary>The rule with <paramref name="points"/> points (at least 2 for the Riemann methods, as Captum asserts).</summary>
    public static IntegrationRule Create(IntegrationMethod method, int points)
    {
        if (points < 1 || (method != IntegrationMethod.GaussLegendre && points < 2))
            throw new ArgumentOutOfRangeException(nameof(points), $"{method} needs at least {(method == IntegrationMethod.GaussLegendre ? 1 : 2)} points, got {points}.");
        int n = points;
        var alphas = new double[n];
        var weights = new double[n];
        if (method == IntegrationMethod.GaussLegendre)
        {
            GaussLegendre(n, alphas, weights);
            for (int i = 0; i < n; i++)
            {
                alphas[i] = 0.5 * (1 + alphas[i]);
                weights[i] *= 0.5;
            }
            return new IntegrationRule(method, alphas, weights);
        }

        // Captum builds these with torch.linspace; differences in the last float bits are far below the 1e-4 parity target.
        (double start, double end) = method switch
        {
            IntegrationMethod.RiemannTrapezoid => (0.0, 1.0),
            IntegrationMethod.RiemannLeft => (0.0, 1 - 1.0 / n),
            IntegrationMethod.RiemannRight => (1.0 / n, 1.0),
            IntegrationMethod.RiemannMiddle => (1.0 / (2 * n), 1 - 1.0 / (2 * n)),
            _ => throw new ArgumentOutOfRangeException(nameof(method)),
        };
        for (int i = 0; i < n; i++)
        {
            alphas[i] = start + (end - start) * i / (n - 1);
            weights[i] = 1.0 / n;
        }
        if (method == IntegrationMethod.RiemannTrapezoid)
        {
            weights[0] /= 2;
            weights[n - 1] /= 2;
        }
        return new IntegrationRule(method, alphas, weights);
    }

    /// <summary>Parses Captum's method names (<c>gausslegendre</c>, <c>riemann_trapezoid</c>, ...).</summary>
    public static IntegrationMethod ParseMethod(string name) => name.ToLowerInvariant() switch
    {
        "gausslegendre" or "gauss_legendre" => IntegrationMethod.GaussLegendre,
        "riemann_trapezoid" => IntegrationMethod.RiemannTrapezoid,
        "riemann_left" => IntegrationMethod.RiemannLeft,
        "riemann_right" => IntegrationMethod.RiemannRight,
        "riemann_middle" => IntegrationMethod.RiemannMiddle,
        _ => throw new ArgumentException($"Unknown integration method '{name}'; expected gausslegendre, riemann_trapezoid, riemann_left, riemann_right or riemann_middle."),
    };

    /// <summary>Gauss-Legendre nodes on [-1,1] ascending, by Newton iteration on P_n (as numpy's leggauss, to ~1e-15).</summary>
    private static void GaussLegendre(int n, double[] nodes, double[] weights)
    {
        for (int i = 0; i < (n + 1) / 2; i++)
        {
            // Tricomi's initial guess for the i-th largest root.
            double x = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5));
            double dp = 0;
            for (int iter = 0; iter < 100; iter++)
            {
                (double p, double d) = Legendre(n, x);
                dp = d;
                double dx = p / d;
                x -= dx;
                if (Math.Abs(dx) < 1e-16) break;
            }
            dp = Legendre(n, x).Derivative;
            double w = 2 / ((1 - x * x) * dp * dp);
            nodes[n - 1 - i] = x;
            nodes[i] = -x;
            weights[n - 1 - i] = w;
            weights[i] = w;
        }
    }

    private static (double Value, double Derivative) Legendre(int n, double x)
    {
        double p0 = 1, p1 = x;
        if (n == 0) return (1, 0);
        for (int k = 2; k <= n; k++)
        {
            double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
            p0 = p1;
            p1 = p2;
        }
        return (p1, n * (x * p1 - p0) / (x * x - 1));
    }
}
