using ModelAudit.Audit.Spec;

namespace ModelAudit.Audit.Model;

/// <summary>Outcome of one gate.</summary>
public enum GateStatus
{
    /// <summary>Every check passed.</summary>
    Pass,

    /// <summary>A check failed on an error-severity gate.</summary>
    Fail,

    /// <summary>A check failed on a warning-severity gate.</summary>
    Warn,
}

/// <summary>One gate's result.</summary>
/// <param name="Gate">The gate.</param>
/// <param name="Value">The run's value (null when missing).</param>
/// <param name="BaselineValue">The baseline's value (null when missing or no baseline).</param>
/// <param name="Status">Pass, fail or warn.</param>
/// <param name="Message">What was checked and why it failed or passed.</param>
public sealed record GateResult(GateSpec Gate, double? Value, double? BaselineValue, GateStatus Status, string Message)
{
    /// <summary>value - baseline, when both exist.</summary>
    public double? Delta => Value is { } v && BaselineValue is { } b ? v - b : null;

    /// <summary><c>pass</c>, <c>fail</c> or <c>warn</c>.</summary>
    public string StatusName => Status.ToString().ToLowerInvariant();

    /// <summary>The bound as text, e.g. <c>[0.9, +inf]; regression &lt;= 0.02 abs</c>.</summary>
    public string BoundText
    {
        get
        {
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            var parts = new List<string>();
            if (Gate.Min is not null || Gate.Max is not null)
                parts.Add($"[{Gate.Min?.ToString("G6", inv) ?? "-inf"}, {Gate.Max?.ToString("G6", inv) ?? "+inf"}]");
            if (Gate.MaxRegression is { } r)
            {
                if (r.Absolute is { } a) parts.Add($"worsening <= {a.ToString("G6", inv)}");
                if (r.Relative is { } rel) parts.Add($"worsening <= {(rel * 100).ToString("G4", inv)}%");
            }
            return string.Join("; ", parts);
        }
    }
}
