namespace ModelAudit.Tensors;

/// <summary>
/// The dimensions of a dense row-major (C order) tensor. Immutable; equality is by value.
/// </summary>
public sealed class TensorShape : IEquatable<TensorShape>
{
    private readonly int[] _dims;

    /// <summary>Creates a shape from its dimensions; every dimension must be non-negative.</summary>
    public TensorShape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        long count = 1;
        foreach (var d in dims)
        {
            if (d < 0) throw new ArgumentException($"Negative dimension in shape [{string.Join(",", dims)}].", nameof(dims));
            count *= d;
        }
        if (count > int.MaxValue) throw new ArgumentException($"Shape [{string.Join(",", dims)}] has more than 2^31 elements.", nameof(dims));
        _dims = (int[])dims.Clone();
        ElementCount = (int)count;
    }

    /// <summary>The shape of a scalar (rank 0, one element).</summary>
    public static TensorShape Scalar { get; } = new();

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims.Length;

    /// <summary>Product of the dimensions.</summary>
    public int ElementCount { get; }

    /// <summary>The dimensions.</summary>
    public ReadOnlySpan<int> Dims => _dims;

    /// <summary>Dimension <paramref name="axis"/>; a negative axis counts from the end.</summary>
    public int this[int axis] => _dims[axis < 0 ? axis + _dims.Length : axis];

    /// <summary>Row-major strides in elements.</summary>
    public int[] Strides()
    {
        var strides = new int[_dims.Length];
        int s = 1;
        for (int i = _dims.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= _dims[i];
        }
        return strides;
    }

    /// <summary>A copy of the dimensions.</summary>
    public int[] ToArray() => (int[])_dims.Clone();

    /// <summary>Normalises a possibly negative axis against this rank, with a clear error when out of range.</summary>
    public int NormalizeAxis(int axis)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if (a < 0 || a >= Math.Max(Rank, 1)) throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for shape {this}.");
        return a;
    }

    /// <inheritdoc/>
    public bool Equals(TensorShape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TensorShape);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in _dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Formats as <c>[2,3,4]</c>.</summary>
    public override string ToString() => "[" + string.Join(",", _dims) + "]";

    /// <summary>Value equality.</summary>
    public static bool operator ==(TensorShape? a, TensorShape? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(TensorShape? a, TensorShape? b) => !(a == b);
}
