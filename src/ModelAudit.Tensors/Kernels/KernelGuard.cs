namespace ModelAudit.Tensors.Kernels;

/// <summary>Argument checks shared by the kernels: a span too short names the offending argument.</summary>
internal static class KernelGuard
{
    /// <summary>Throws when <paramref name="length"/> is below <paramref name="required"/>.</summary>
    public static void RequireLength(int length, long required, string paramName)
    {
        if (length < required)
            throw new ArgumentException($"Span has {length} elements; at least {required} are required.", paramName);
    }

    /// <summary>Throws when <paramref name="value"/> is negative.</summary>
    public static void RequireNonNegative(int value, string paramName)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(paramName, value, "Must be non-negative.");
    }

    /// <summary>Throws when <paramref name="value"/> is not positive.</summary>
    public static void RequirePositive(int value, string paramName)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(paramName, value, "Must be positive.");
    }
}
