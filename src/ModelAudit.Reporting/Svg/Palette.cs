namespace ModelAudit.Reporting.Svg;

/// <summary>Colours: a qualitative palette for groups and communities, and a sequential ramp for heat maps.</summary>
internal static class Palette
{
    private static readonly string[] Qualitative = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public static string Category(int index) => Qualitative[((index % Qualitative.Length) + Qualitative.Length) % Qualitative.Length];

    /// <summary>White to dark blue for t in [0, 1].</summary>
    public static string Ramp(double t)
    {
        t = double.IsFinite(t) ? Math.Clamp(t, 0, 1) : 0;
        int r = (int)Math.Round(247 + (8 - 247) * t), g = (int)Math.Round(251 + (48 - 251) * t), b = (int)Math.Round(255 + (107 - 255) * t);
        return $"#{r:x2}{g:x2}{b:x2}";
    }
}
