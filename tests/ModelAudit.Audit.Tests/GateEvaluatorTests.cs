using ModelAudit.Audit.Gates;
using ModelAudit.Audit.Metrics;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Spec;
using ModelAudit.Audit.Yaml;

namespace ModelAudit.Audit.Tests;

public sealed class GateEvaluatorTests
{
    private static readonly string[] Layers = ["/layer3/relu", "/layer4/a", "/layer4/b"];

    private static readonly MetricTable Run = Table(0.90);

    private static MetricTable Table(double accuracy)
    {
        var table = new MetricTable();
        table.Set("accuracy", null, accuracy);
        table.Set("conductance.share", "/layer3/relu", 0.2);
        table.Set("conductance.share", "/layer4/a", 0.5);
        table.Set("conductance.share", "/layer4/b", 0.3);
        table.Set("ite.preservation", "/layer3/relu", 0.7);
        table.Set("ite.preservation", "/layer4/a", 0.6);
        table.Set("ite.preservation", "/layer4/b", null);
        return table;
    }

    private static BaselineReport Baseline(double accuracy) => new("base.json", "00", Layers, Table(accuracy));

    private static GateSpec Gate(string metric, MetricDirection direction, double? min = null, double? max = null, RegressionLimit? regression = null,
        GateSeverity severity = GateSeverity.Error)
        => new(MetricExpression.TryParse(metric, out _)!, direction, min, max, regression, severity, new SourceMark(7, 5));

    [Theory]
    [InlineData("min(conductance.share[/layer4/*])", 0.3)]
    [InlineData("max(conductance.share[/layer4/*])", 0.5)]
    [InlineData("mean(conductance.share[*])", (0.2 + 0.5 + 0.3) / 3)]
    [InlineData("conductance.share[/layer3/relu]", 0.2)]
    [InlineData("max(conductance.share[/layer?/a])", 0.5)]
    public void Evaluate_Selector_AggregatesMatchedLayers(string metric, double expected)
    {
        var value = GateEvaluator.Evaluate(MetricExpression.TryParse(metric, out _)!, Layers, Run, out _);
        Assert.Equal(expected, value);
    }

    [Fact]
    public void Evaluate_AggregateSkipsUndefinedLayers_AndSaysSo()
    {
        var value = GateEvaluator.Evaluate(MetricExpression.TryParse("min(ite.preservation[*])", out _)!, Layers, Run, out var note);
        Assert.Equal(0.6, value);
        Assert.Equal("skipped layers without a value: /layer4/b", note);
    }

    [Fact]
    public void Evaluate_BoundsInclusive_PassAtTheBound()
    {
        var r = GateEvaluator.Evaluate(Gate("accuracy", MetricDirection.HigherIsBetter, min: 0.90, max: 0.90), Layers, Run, null);
        Assert.Equal(GateStatus.Pass, r.Status);
        Assert.Equal(0.90, r.Value);
    }

    [Fact]
    public void Evaluate_BelowMin_Fails()
    {
        var r = GateEvaluator.Evaluate(Gate("accuracy", MetricDirection.HigherIsBetter, min: 0.95), Layers, Run, null);
        Assert.Equal(GateStatus.Fail, r.Status);
        Assert.Equal("accuracy: 0.9 is below min 0.95", r.Message);
    }

    [Fact]
    public void Evaluate_WarningSeverity_Warns()
    {
        var r = GateEvaluator.Evaluate(Gate("accuracy", MetricDirection.HigherIsBetter, max: 0.5, severity: GateSeverity.Warning), Layers, Run, null);
        Assert.Equal(GateStatus.Warn, r.Status);
        Assert.Equal("accuracy: 0.9 is above max 0.5", r.Message);
    }

    [Fact]
    public void Evaluate_AbsoluteRegression_HigherIsBetter_WorseningIsBaselineMinusValue()
    {
        // 0.93 -> 0.90 worsens by 0.03: passes at 0.03 allowed, fails at 0.02.
        var ok = GateEvaluator.Evaluate(Gate("accuracy", MetricDirection.HigherIsBetter, regression: new RegressionLimit(0.031, null)), Layers, Run, Baseline(0.93));
        Assert.Equal(GateStatus.Pass, ok.Status);
        var bad = GateEvaluator.Evaluate(Gate("accuracy", MetricDirection.HigherIsBetter, regression: new RegressionLimit(0.02, null)), Layers, Run, Baseline(0.93));
        Assert.Equal(GateStatus.Fail, bad.Status);
        Assert.Equal("accuracy: worsened by 0.03 vs baseline 0.93 (allowed 0.02)", bad.Message);
        Assert.Equal(0.90 - 0.93, bad.Delta!.Value, 15);
    }

    [Fact]
    public void Evaluate_LowerIsBetter_ImprovementNeverFails()
    {
        // Lower is better: 0.93 -> 0.90 is an improvement of 0.03.
        var r = GateEvaluator.Evaluate(Gate("accuracy", MetricDirection.LowerIsBetter, regression: new RegressionLimit(0, 0)), Layers, Run, Baseline(0.93));
        Assert.Equal(GateStatus.Pass, r.Status);
        var worse = GateEvaluator.Evaluate(Gate("accuracy", MetricDirection.LowerIsBetter, regression: new RegressionLimit(null, 0.1)), Layers, Run, Baseline(0.80));
        // 0.80 -> 0.90 worsens by 0.10 = 12.5% of 0.80 > 10%.
        Assert.Equal(GateStatus.Fail, worse.Status);
        Assert.Equal("accuracy: worsened by 12.5% vs baseline 0.8 (allowed 10%)", worse.Message);
    }

    [Fact]
    public void Evaluate_NoBaseline_RegressionNotCheckedAndSaid()
    {
        var r = GateEvaluator.Evaluate(Gate("accuracy", MetricDirection.HigherIsBetter, min: 0.5, regression: new RegressionLimit(0.01, null)), Layers, Run, null);
        Assert.Equal(GateStatus.Pass, r.Status);
        Assert.EndsWith("(no baseline given: regression not checked)", r.Message);
        Assert.Null(r.BaselineValue);
    }

    [Fact]
    public void Evaluate_MetricMissingFromRun_Fails()
    {
        var r = GateEvaluator.Evaluate(Gate("dpi.violations", MetricDirection.LowerIsBetter, max: 3), Layers, Run, null);
        Assert.Equal(GateStatus.Fail, r.Status);
        Assert.Equal("dpi.violations: metric missing from this run: dpi.violations is not in the report", r.Message);
    }

    [Fact]
    public void Evaluate_MetricMissingFromBaseline_FailsRegressionGate()
    {
        var baseline = new BaselineReport("base.json", "00", ["/other"], new MetricTable());
        var r = GateEvaluator.Evaluate(Gate("max(conductance.share[/layer4/*])", MetricDirection.LowerIsBetter, regression: new RegressionLimit(0.1, null)), Layers, Run, baseline);
        Assert.Equal(GateStatus.Fail, r.Status);
        Assert.Equal("max(conductance.share[/layer4/*]): metric missing from the baseline: no layer matches [/layer4/*]", r.Message);
    }

    [Fact]
    public void Evaluate_ExactLayerUndefined_Fails()
    {
        var r = GateEvaluator.Evaluate(Gate("ite.preservation[/layer4/b]", MetricDirection.HigherIsBetter, min: 0), Layers, Run, null);
        Assert.Equal(GateStatus.Fail, r.Status);
        Assert.Equal("ite.preservation[/layer4/b]: metric missing from this run: ite.preservation has no value for /layer4/b", r.Message);
    }

    [Theory]
    [InlineData("accuracy", "accuracy", null, null)]
    [InlineData("ite.efficiency[/a/b_c:0]", "ite.efficiency", "/a/b_c:0", null)]
    [InlineData("mean(plane.activation.i_xt[*])", "plane.activation.i_xt", "*", MetricAggregate.Mean)]
    public void TryParse_Forms_RoundTrip(string text, string family, string? selector, MetricAggregate? aggregate)
    {
        var m = MetricExpression.TryParse(text, out var error);
        Assert.Equal("", error);
        Assert.Equal(new MetricExpression(family, selector, aggregate), m);
        Assert.Equal(text, m!.ToString());
    }
}
