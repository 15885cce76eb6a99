using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelAudit.Nif.Json;

/// <summary>
/// The one JSON policy for numbers, used by every JSON file the tool writes (report.json, the nif and analyze JSON, the
/// attribute summary, inspect --json): a finite double or float is written in shortest round-trip form, NaN and
/// infinities as null (JSON has neither); null reads back as NaN. Nullable numbers use it too (null stays null).
/// It lives in the lowest project that writes JSON (NIF); source-generated contexts name it in their options.
/// </summary>
public sealed class FiniteNumberConverter : JsonConverterFactory
{
    /// <inheritdoc/>
    public override bool CanConvert(Type typeToConvert) => typeToConvert == typeof(double) || typeToConvert == typeof(float);

    /// <inheritdoc/>
    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
        => typeToConvert == typeof(double) ? new DoubleConverter() : new SingleConverter();

    private sealed class DoubleConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }

    private sealed class SingleConverter : JsonConverter<float>
    {
        public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => reader.TokenType == JsonTokenType.Null ? float.NaN : reader.GetSingle();

        public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options)
        {
            if (float.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }
}
