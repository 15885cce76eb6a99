using System.Text.Json;
using ModelAudit.Analysis.Attribution;

namespace ModelAudit.Analysis.Tests.Attribution;

public class IntegrationRuleTests
{
    private static readonly Dictionary<string, JsonElement> Goldens =
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(Path.Combine(RepositoryPaths.Goldens, "integration_rules.json")))!;

    public static TheoryData<string> Keys()
    {
        var data = new TheoryData<string>();
        foreach (var key in Goldens.Keys) data.Add(key);
        return data;
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void Create_EveryMethodAndSize_MatchesNumpyAndCaptum(string key)
    {
        int split = key.LastIndexOf('_');
        var method = IntegrationRule.ParseMethod(key[..split]);
        int n = int.Parse(key[(split + 1)..]);
        var rule = IntegrationRule.Create(method, n);
        var alphas = Goldens[key].GetProperty("alphas").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var weights = Goldens[key].GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).ToArray();

        // Gauss-Legendre vs numpy's leggauss in double: 1e-13 absolute. Riemann alphas vs torch.linspace
        // (float32 in Captum): 1e-7 absolute.
        double alphaTolerance = method == IntegrationMethod.GaussLegendre ? 1e-13 : 1e-7;
        Assert.Equal(alphas.Length, rule.Count);
        for (int i = 0; i < n; i++)
        {
            Assert.True(Math.Abs(alphas[i] - rule.Alphas[i]) <= alphaTolerance, $"alpha[{i}] {rule.Alphas[i]} vs {alphas[i]}");
            Assert.True(Math.Abs(weights[i] - rule.Weights[i]) <= 1e-13, $"weight[{i}] {rule.Weights[i]} vs {weights[i]}");
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(16)]
    [InlineData(50)]
    public void Create_Trapezoid_WeightsSumToOneMinusOneOverN(int n)
    {
        var rule = IntegrationRule.Create(IntegrationMethod.RiemannTrapezoid, n);
        Assert.Equal(1 - 1.0 / n, rule.Weights.Sum(), 12);
    }

    [Fact]
    public void Create_GaussLegendre_IntegratesPolynomialOfDegree2nMinus1Exactly()
    {
        // n nodes integrate x^(2n-1) on [0,1] exactly: 1/(2n).
        var rule = IntegrationRule.Create(IntegrationMethod.GaussLegendre, 7);
        double integral = rule.Alphas.Zip(rule.Weights, (a, w) => w * Math.Pow(a, 13)).Sum();
        Assert.Equal(1.0 / 14, integral, 13);
    }

    [Fact]
    public void Create_RiemannWithOnePoint_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => IntegrationRule.Create(IntegrationMethod.RiemannLeft, 1));
}
