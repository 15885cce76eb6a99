using ModelAudit.Analysis.Information;

namespace ModelAudit.Analysis.Tests.Information;

public class DataProcessingInequalityTests
{
    private static LayerInformation Layer(string name, int depth, double ixt, double ity, double spread)
        => new(name, depth, "none", 0, new Estimate(ixt, spread), new Estimate(ity, spread), null, null);

    [Fact]
    public void Find_RiseBeyondSpread_ReportsPairWithMargin()
    {
        var layers = new[] { Layer("a", 0, 3.0, 1.0, 0.1), Layer("b", 1, 2.5, 1.5, 0.1), Layer("c", 2, 2.0, 1.15, 0.1) };
        var findings = DataProcessingInequality.Find(layers);

        // I(X;T) only falls; I(T;Y): a->b rises 0.5 (margin 0.3), a->c rises 0.15 (< spread 0.2, not reported).
        var finding = Assert.Single(findings);
        Assert.Equal((InformationQuantity.ActivationLabel, "a", "b"), (finding.Quantity, finding.Earlier, finding.Later));
        Assert.Equal(0.3, finding.Margin, 12);
    }

    [Fact]
    public void Find_MonotoneDecrease_NoFindings()
        => Assert.Empty(DataProcessingInequality.Find([Layer("a", 0, 3, 2, 0), Layer("b", 1, 2, 1.5, 0), Layer("c", 2, 1, 1, 0)]));
}
