using ModelAudit.Audit.Data;
using ModelAudit.Audit.Running;
using ModelAudit.Audit.Spec;
using ModelAudit.Onnx;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Audit.Tests.Data;

/// <summary>The one label loader, directly and through the audit (which reads data.labels with it).</summary>
public sealed class ClassLabelsTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("labels-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Write(string name, NpyArray array)
    {
        var path = Path.Combine(_temp, name);
        NpyFile.Write(path, array);
        return path;
    }

    [Fact]
    public void Read_IntegerLabelsInRange_ReturnsThem()
        => Assert.Equal([0L, 2, 1], ClassLabels.Read(Write("y.npy", NpyArray.FromInt64([0, 2, 1], 3)), 3, 3));

    [Fact]
    public void Read_FloatLabels_ErrorNamesFileAndType()
    {
        var path = Write("y.npy", NpyArray.FromFloat32([0, 1, 1], 3));
        var e = Assert.Throws<ModelInputException>(() => ClassLabels.Read(path, 3, 3));
        Assert.Equal($"{path}: expected integer labels of shape [3], got float32 [3]", e.Message);
    }

    [Fact]
    public void Read_OneLabelShort_ErrorNamesFileAndCounts()
    {
        var path = Write("t.npy", NpyArray.FromInt64([0, 1], 2));
        var e = Assert.Throws<ModelInputException>(() => ClassLabels.Read(path, 3, 3, "target"));
        Assert.Equal($"{path}: expected integer targets of shape [3], got int64 [2]", e.Message);
    }

    [Fact]
    public void Read_LabelOutsideClasses_NamesFirstBadSample()
    {
        var path = Write("y.npy", NpyArray.FromInt64([0, 1, 3, -1], 4));
        var e = Assert.Throws<ModelInputException>(() => ClassLabels.Read(path, 4, 3));
        Assert.Equal($"{path}: label 3 of sample 2 is outside [0, 3)", e.Message);
    }

    [Fact]
    public void Read_NoClassCount_AcceptsNonNegative32BitIntegers()
    {
        var path = Write("y.npy", NpyArray.FromInt64([5, int.MaxValue], 2));
        var e = Assert.Throws<ModelInputException>(() => ClassLabels.Read(path, 2, null));
        Assert.Equal($"{path}: label {int.MaxValue} of sample 1 is outside [0, {int.MaxValue})", e.Message);
    }

    [Fact]
    public void AuditRun_LabelsOneShort_SameOneLineErrorAsTheCommands()
    {
        var labels = NpyFile.Read(TestFiles.DigitsFixture("labels.npy")).ToInt64();
        var path = Write("short.npy", NpyArray.FromInt64(labels[..^1], labels.Length - 1));
        var spec = TestFiles.WriteSpec(_temp, $"""
            model: '{TestFiles.DigitsFixture("model.onnx")}'
            data:
              inputs: '{TestFiles.DigitsFixture("input.npy")}'
              labels: '{path}'
            analyses:
              conductance: {"{"} steps: 2 {"}"}
            """);
        var e = Assert.Throws<ModelInputException>(() => new AuditRunner(AuditSpecLoader.Load(spec), NoProgress.Instance, "t").Run(null));
        Assert.Equal($"{path}: expected integer labels of shape [{labels.Length}], got int64 [{labels.Length - 1}]", e.Message);
    }
}
