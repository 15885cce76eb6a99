using System.Globalization;

namespace ModelAudit.Audit.Spec;

/// <summary>
/// A whole-number option of the spec and the command line: its name, default and inclusive range. The spec
/// (<see cref="SpecMapping"/>) and the commands check values against the same definition before any work.
/// </summary>
/// <param name="Name">The spec key (the command-line flag is <c>--</c> plus the name with dashes).</param>
/// <param name="Default">The value when the option is not given.</param>
/// <param name="Min">The smallest value allowed.</param>
/// <param name="Max">The largest value allowed.</param>
public sealed record IntOption(string Name, int Default, int Min, int Max)
{
    /// <summary>Whether <paramref name="value"/> is in range.</summary>
    public bool Allows(long value) => value >= Min && value <= Max;

    /// <summary>The range in words: <c>between 1 and 10000</c>, or <c>at least 1</c> when only the lower end matters.</summary>
    public string RangeText => Max == int.MaxValue && Min != int.MinValue ? $"at least {Min}" : $"between {Min} and {Max}";

    /// <summary>A copy with another default (e.g. analyze's internal batch size of 512).</summary>
    public IntOption WithDefault(int value) => this with { Default = value };
}

/// <summary>A real-number option: always finite, within <see cref="Min"/>..<see cref="Max"/> (each end open or closed).</summary>
/// <param name="Name">The spec key.</param>
/// <param name="Min">The lower end.</param>
/// <param name="Max">The upper end.</param>
/// <param name="MinExclusive">True when <see cref="Min"/> itself is not allowed (<c>&gt; 0</c>).</param>
public sealed record DoubleOption(string Name, double Min, double Max, bool MinExclusive = false)
{
    /// <summary>Whether <paramref name="value"/> is finite and in range.</summary>
    public bool Allows(double value) => double.IsFinite(value) && (MinExclusive ? value > Min : value >= Min) && value <= Max;

    /// <summary>The range in words: <c>a number &gt; 0 and &lt;= 1e+06</c>.</summary>
    public string RangeText => string.Create(CultureInfo.InvariantCulture, $"a finite number {(MinExclusive ? ">" : ">=")} {Min:G6} and <= {Max:G6}");
}

/// <summary>The ranges of every numeric option, in one place; docs/audit-spec.md and docs/cli.md list them.</summary>
public static class OptionRanges
{
    /// <summary>Conductance <c>n_steps</c> in the spec.</summary>
    public static readonly IntOption ConductanceSteps = new("steps", 50, 1, 10_000);

    /// <summary><c>attribute --steps</c>: the Riemann rules need two points.</summary>
    public static readonly IntOption AttributionSteps = new("steps", 50, 2, 10_000);

    /// <summary><c>analyze --steps</c>: 0 skips the conductance plane.</summary>
    public static readonly IntOption AnalysisSteps = new("steps", 50, 0, 10_000);

    /// <summary>Most interpolated rows per pass; 0 = all at once.</summary>
    public static readonly IntOption InternalBatchSize = new("internal_batch_size", 0, 0, 65_536);

    /// <summary>The output axis a target indexes (conductance <c>target_axis</c>, <c>--target-axis</c>); negative counts from the end, 0 (the batch) is refused against the output.</summary>
    public static readonly IntOption TargetAxis = new("target_axis", 1, -8, 8);

    /// <summary>Bootstrap resamples of the spread bars.</summary>
    public static readonly IntOption Bootstrap = new("bootstrap", 10, 0, 10_000);

    /// <summary>Columns after a random projection.</summary>
    public static readonly IntOption ProjectionDimensions = new("projection_dimensions", 64, 1, 4096);

    /// <summary>Bins per dimension of the binning estimator.</summary>
    public static readonly IntOption Bins = new("bins", 30, 1, 10_000);

    /// <summary>KSG's k; it must also be below the number of audit samples (checked when the data is loaded).</summary>
    public static readonly IntOption Neighbors = new("neighbors", 3, 1, 1000);

    /// <summary>Most edges per layer pair that NIF estimates with MINE.</summary>
    public static readonly IntOption MaxMineEdges = new("max_mine_edges", 4096, 0, 1_000_000);

    /// <summary>Label shuffles of the planes' permutation null.</summary>
    public static readonly IntOption NullShuffles = new("null_shuffles", 10, 0, 10_000);

    /// <summary>Null pairs of NIF's noise floor.</summary>
    public static readonly IntOption NullPairs = new("null_pairs", 16, 1, 1000);

    /// <summary><c>data.samples</c>.</summary>
    public static readonly IntOption Samples = new("samples", 0, 1, 10_000_000);

    /// <summary>Seeds: any 32-bit integer.</summary>
    public static readonly IntOption Seed = new("seed", 0, int.MinValue, int.MaxValue);

    /// <summary>Rényi's alpha (also not 1).</summary>
    public static readonly DoubleOption RenyiAlpha = new("alpha", 0, 100, MinExclusive: true);

    /// <summary>Rényi's kernel width when given.</summary>
    public static readonly DoubleOption RenyiSigma = new("sigma", 0, 1e6, MinExclusive: true);

    /// <summary>KDE noise variance.</summary>
    public static readonly DoubleOption NoiseVariance = new("noise_variance", 0, 1e6, MinExclusive: true);

    /// <summary>Binning bin width.</summary>
    public static readonly DoubleOption BinSize = new("bin_size", 0, 1e9, MinExclusive: true);

    /// <summary>Ends of a fixed binning range, a baseline input value, preprocessing scale and mean, gate bounds.</summary>
    public static readonly DoubleOption Value = new("value", -1e30, 1e30);

    /// <summary>Preprocessing std.</summary>
    public static readonly DoubleOption Std = new("std", 0, 1e30, MinExclusive: true);

    /// <summary>NIF's redundancy weight and ITE's weights.</summary>
    public static readonly DoubleOption Weight = new("weight", 0, 1e6);

    /// <summary>Louvain resolution.</summary>
    public static readonly DoubleOption Resolution = new("resolution", 0, 1e6, MinExclusive: true);

    /// <summary>Allowed worsening of a gate.</summary>
    public static readonly DoubleOption Regression = new("max_regression", 0, 1e30);
}

/// <summary>The fewest audit samples an analysis's options need, and the spec node that sets it, for the error.</summary>
/// <param name="File">The spec.</param>
/// <param name="Mark">Where the option is.</param>
/// <param name="Reason">The option and its value, e.g. <c>'analyses.planes.ksg.neighbors' is 20</c>.</param>
/// <param name="Minimum">The fewest samples in all.</param>
/// <param name="MinimumPerClass">The fewest samples of every class present (checked when labels are given).</param>
public sealed record SampleRequirement(string File, Yaml.SourceMark Mark, string Reason, int Minimum, int MinimumPerClass = 0);

/// <summary>Options of an analysis that need a least number of samples (checked when the data is loaded).</summary>
internal interface ISampleRequirement
{
    /// <summary>The requirements of these options (none when they need nothing beyond the usual).</summary>
    IEnumerable<SampleRequirement> Requirements(string file);
}
