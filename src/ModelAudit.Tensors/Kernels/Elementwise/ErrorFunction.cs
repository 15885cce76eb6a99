namespace ModelAudit.Tensors.Kernels.Elementwise;

/// <summary>The error function in double precision (.NET has none).</summary>
internal static class ErrorFunction
{
    /// <summary>erf(x): a Maclaurin series near zero (keeps relative accuracy), a Chebyshev erfc fit (fractional error &lt; 1.2e-7) elsewhere.</summary>
    public static double Erf(double x)
    {
        double z = Math.Abs(x);
        if (z < 0.5)
        {
            // sum_n (-1)^n x^(2n+1) / (n! (2n+1)); 12 terms reach double rounding for |x| < 0.5.
            double x2 = x * x, term = x, sum = x;
            for (int n = 1; n < 12; n++)
            {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            return sum * 2.0 / Math.Sqrt(Math.PI);
        }
        double t = 1.0 / (1.0 + 0.5 * z);
        double erfc = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1.0 - erfc : erfc - 1.0;
    }
}
