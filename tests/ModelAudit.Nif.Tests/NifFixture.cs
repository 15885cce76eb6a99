using ModelAudit.Onnx;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Nif.Tests;

/// <summary>A trained NIF fixture (tests/fixtures/iris_nif_mlp, cancer_nif_mlp): model and train/test arrays.</summary>
internal sealed class NifFixture
{
    public NifFixture(string name)
    {
        Name = name;
        ModelPath = TestPaths.Fixture(name, "model.onnx");
        Session = new OnnxSession(OnnxModel.Load(ModelPath));
        (TrainX, TrainRows) = Floats("train_x.npy");
        TrainY = Ints("train_y.npy");
        (TestX, TestRows) = Floats("test_x.npy");
        TestY = Ints("test_y.npy");
    }

    public string Name { get; }

    public string ModelPath { get; }

    public OnnxSession Session { get; }

    public float[] TrainX { get; }

    public int TrainRows { get; }

    public int[] TrainY { get; }

    public float[] TestX { get; }

    public int TestRows { get; }

    public int[] TestY { get; }

    private (float[] Data, int Rows) Floats(string file)
    {
        var array = NpyFile.Read(TestPaths.Fixture(Name, file));
        return (array.ToFloat32(), array.Shape[0]);
    }

    private int[] Ints(string file) => [.. NpyFile.Read(TestPaths.Fixture(Name, file)).ToInt64().Select(v => checked((int)v))];
}
