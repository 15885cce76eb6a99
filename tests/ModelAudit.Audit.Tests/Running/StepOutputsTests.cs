using ModelAudit.Audit.Metrics;
using ModelAudit.Audit.Model;
using ModelAudit.Audit.Running;
using ModelAudit.Audit.Spec;
using ModelAudit.Audit.Steps;

namespace ModelAudit.Audit.Tests.Running;

public sealed class StepOutputsTests
{
    /// <summary>A step that produces <typeparamref name="TOutput"/> and reads the given types; never run.</summary>
    private sealed class FakeStep<TOutput>(string key, params Type[] reads) : AuditStep<TOutput> where TOutput : class
    {
        public override string Key => key;

        public override string Title => key;

        public override IReadOnlyList<Type> Reads => reads;

        public override IStepOptions Parse(SpecMapping options, IReadOnlyCollection<string> configured) => throw new NotSupportedException();

        public override IReadOnlyList<MetricDefinition> Produces(IStepOptions options, IReadOnlyCollection<string> configured) => [];

        public override TOutput Run(AuditContext context, StepReads reads, IStepOptions options, StepProgress progress, CancellationToken cancellationToken)
            => throw new NotSupportedException();
    }

    private static readonly GraphSection Graph = new([], [], []);

    [Fact]
    public void Get_DeclaredReadOfEarlierOutput_ReturnsThatInstance()
    {
        var outputs = new StepOutputs();
        outputs.Add(new FakeStep<GraphSection>("graph"), Graph);
        var reads = new StepReads(outputs, new FakeStep<EfficiencyOutput>("reader", typeof(GraphSection)));
        Assert.Same(Graph, reads.Get<GraphSection>());
    }

    [Fact]
    public void Get_UndeclaredRead_ThrowsNamingStepAndType()
    {
        var outputs = new StepOutputs();
        outputs.Add(new FakeStep<GraphSection>("graph"), Graph);
        var reads = new StepReads(outputs, new FakeStep<EfficiencyOutput>("reader"));
        var e = Assert.Throws<InvalidOperationException>(() => reads.Get<GraphSection>());
        Assert.Equal("step 'reader' reads GraphSection without declaring it in Reads", e.Message);
    }

    [Fact]
    public void Get_DeclaredButNotProduced_ThrowsNamingStepAndType()
    {
        var reads = new StepReads(new StepOutputs(), new FakeStep<EfficiencyOutput>("reader", typeof(GraphSection)));
        var e = Assert.Throws<InvalidOperationException>(() => reads.Get<GraphSection>());
        Assert.Equal("step 'reader' reads GraphSection, but no earlier step produced it", e.Message);
    }

    [Fact]
    public void Add_ValueOfOtherType_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new StepOutputs().Add(new FakeStep<EfficiencyOutput>("ite"), Graph));
        Assert.Equal("step 'ite' declares output EfficiencyOutput but returned GraphSection", e.Message);
    }

    [Fact]
    public void Add_SameTypeTwice_Throws()
    {
        var outputs = new StepOutputs();
        outputs.Add(new FakeStep<GraphSection>("a"), Graph);
        Assert.Throws<InvalidOperationException>(() => outputs.Add(new FakeStep<GraphSection>("b"), Graph));
    }

    [Fact]
    public void Find_NothingProduced_IsNull() => Assert.Null(new StepOutputs().Find<GraphSection>());

    [Fact]
    public void Registry_ReaderBeforeProducer_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new AuditStepRegistry(
            [new FakeStep<EfficiencyOutput>("reader", typeof(GraphSection)), new FakeStep<GraphSection>("graph")]));
        Assert.Equal("step 'reader' reads GraphSection, which no step registered before it produces", e.Message);
    }

    [Fact]
    public void Registry_TwoProducersOfOneType_Throws()
        => Assert.Throws<InvalidOperationException>(() => new AuditStepRegistry([new FakeStep<GraphSection>("a"), new FakeStep<GraphSection>("b")]));

    [Fact]
    public void Registry_Default_IteReadsThePlanesOutput()
    {
        var ite = AuditStepRegistry.Default.Find("ite")!;
        Assert.Equal([typeof(PlanesOutput)], ite.Reads);
        Assert.Equal("planes", AuditStepRegistry.Default.Producer(typeof(PlanesOutput)).Key);
    }
}
