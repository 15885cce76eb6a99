using System.Text.Json;

namespace ModelAudit.Nif.Tests;

/// <summary>Two-sample KS against scipy.stats.ks_2samp (goldens/ks_2samp.json, make_ks_goldens.py).</summary>
public class KolmogorovSmirnovTests
{
    private static JsonElement Goldens() => JsonDocument.Parse(File.ReadAllText(TestPaths.Golden("ks_2samp.json"))).RootElement;

    private static double[] Values(JsonElement e) => [.. e.EnumerateArray().Select(v => v.GetDouble())];

    public static TheoryData<string> ExactCases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Goldens().GetProperty("exact_or_auto").EnumerateArray()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(ExactCases))]
    public void TwoSample_SmallSamples_MatchesScipyExact(string name)
    {
        var c = Goldens().GetProperty("exact_or_auto").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var (d, p) = KolmogorovSmirnov.TwoSample(Values(c.GetProperty("a")), Values(c.GetProperty("b")));
        Assert.Equal(c.GetProperty("statistic").GetDouble(), d, 12);
        double expected = c.GetProperty("pvalue").GetDouble();
        Assert.True(Math.Abs(p - expected) <= 1e-10 * Math.Max(1, expected), $"{name}: p {p} vs scipy {expected} (tol 1e-10 relative)");
    }

    [Fact]
    public void TwoSample_LargeSamples_UsesLimitingKolmogorovDistribution()
    {
        var c = Goldens().GetProperty("asymptotic")[0];
        var (d, p) = KolmogorovSmirnov.TwoSample(Values(c.GetProperty("a")), Values(c.GetProperty("b")));
        Assert.Equal(c.GetProperty("statistic").GetDouble(), d, 12);
        double expected = c.GetProperty("kolmogorov_pvalue").GetDouble();
        Assert.True(Math.Abs(p - expected) <= 1e-9, $"p {p} vs scipy.special.kolmogorov {expected} (tol 1e-9)");
        // scipy's finite-n kstwo differs by O(1/sqrt(n)).
        Assert.True(Math.Abs(p - c.GetProperty("scipy_pvalue").GetDouble()) <= 0.01, $"p {p} vs scipy ks_2samp {c.GetProperty("scipy_pvalue").GetDouble()} (tol 0.01)");
    }
}
