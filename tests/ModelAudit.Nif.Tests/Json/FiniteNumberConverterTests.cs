using System.Text.Json;
using ModelAudit.Nif.Json;

namespace ModelAudit.Nif.Tests.Json;

public sealed class FiniteNumberConverterTests
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new FiniteNumberConverter() } };

    [Fact]
    public void Write_Doubles_FiniteInShortestRoundTripFormNonFiniteAsNull()
        => Assert.Equal("[0.1,-2.5E-300,null,null,null,1.7976931348623157E+308]",
            JsonSerializer.Serialize(new[] { 0.1, -2.5e-300, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue }, Options));

    [Fact]
    public void Write_Floats_FiniteInShortestRoundTripFormNonFiniteAsNull()
        => Assert.Equal("[0.1,3.4028235E+38,null,null]", JsonSerializer.Serialize(new[] { 0.1f, float.MaxValue, float.NaN, float.NegativeInfinity }, Options));

    [Fact]
    public void Write_NullableDouble_NullStaysNullNaNBecomesNull()
        => Assert.Equal("[null,null,1]", JsonSerializer.Serialize(new double?[] { null, double.NaN, 1 }, Options));

    [Fact]
    public void Read_Null_IsNaN()
    {
        var values = JsonSerializer.Deserialize<double[]>("[null,1.5]", Options)!;
        Assert.True(double.IsNaN(values[0]));
        Assert.Equal(1.5, values[1]);
        Assert.True(float.IsNaN(JsonSerializer.Deserialize<float[]>("[null]", Options)![0]));
    }
}
