namespace ModelAudit.Tensors.Tests.TestSupport;

/// <summary>Seeded random tensors for tests.</summary>
internal static class RandomTensors
{
    /// <summary>Uniform values in [low, high).</summary>
    public static Tensor Uniform(int seed, float low, float high, params int[] dims)
    {
        var random = new Random(seed);
        var shape = new TensorShape(dims);
        var data = new float[shape.ElementCount];
        for (int i = 0; i < data.Length; i++) data[i] = low + (float)random.NextDouble() * (high - low);
        return Tensor.FromArray(data, dims);
    }

    /// <summary>Uniform values in [low, high) whose magnitude is at least <paramref name="minMagnitude"/> (keeps away from kinks at 0).</summary>
    public static Tensor AwayFromZero(int seed, float low, float high, float minMagnitude, params int[] dims)
    {
        var t = Uniform(seed, low, high, dims);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            if (MathF.Abs(s[i]) < minMagnitude) s[i] = s[i] < 0 ? -minMagnitude - 0.1f * i / s.Length : minMagnitude + 0.1f * i / s.Length;
        }
        return t;
    }

    /// <summary>Distinct values (a shuffled ramp) so maxima are unique and well separated.</summary>
    public static Tensor Distinct(int seed, float spacing, params int[] dims)
    {
        var random = new Random(seed);
        var shape = new TensorShape(dims);
        var data = new float[shape.ElementCount];
        for (int i = 0; i < data.Length; i++) data[i] = (i - data.Length / 2) * spacing;
        random.Shuffle(data);
        return Tensor.FromArray(data, dims);
    }
}
