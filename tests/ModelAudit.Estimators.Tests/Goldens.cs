using System.Text.Json;

namespace ModelAudit.Estimators.Tests;

/// <summary>Reads goldens/mi_goldens.json, written by goldens/make_mi_goldens.py.</summary>
internal static class Goldens
{
    private static readonly Lazy<JsonElement> Root = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "goldens", "mi_goldens.json"))).RootElement);

    public static JsonElement Get(string name) => Root.Value.GetProperty(name);

    public static float[] Floats(this JsonElement element) =>
        [.. element.EnumerateArray().Select(v => (float)v.GetDouble())];

    public static double[] Doubles(this JsonElement element) =>
        [.. element.EnumerateArray().Select(v => v.GetDouble())];

    public static int[] Ints(this JsonElement element) =>
        [.. element.EnumerateArray().Select(v => v.GetInt32())];

    public static double Number(this JsonElement element, string name) => element.GetProperty(name).GetDouble();

    public static SampleMatrix Column(this JsonElement element, string name)
    {
        var values = element.GetProperty(name).Floats();
        return new SampleMatrix(values, values.Length, 1);
    }

    public static SampleMatrix Matrix(this JsonElement element) =>
        new(element.GetProperty("x").Floats(), element.GetProperty("rows").GetInt32(), element.GetProperty("cols").GetInt32());

    /// <summary>Cases of a list golden, by index, for xunit member data.</summary>
    public static TheoryData<int> Indices(string name)
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Get(name).GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }
}
