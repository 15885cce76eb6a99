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

    /// <summary>Diverging ramp for t in [-1, 1]: red (lower than the baseline), white (same), blue (higher).</summary>
    public static string Diverging(double t)
    {
        t = double.IsFinite(t) ? Math.Clamp(t, -1, 1) : 0;
        (int R, int G, int B) end = t < 0 ? (178, 24, 43) : (33, 102, 172);
        double a = Math.Abs(t);
        int r = (int)Math.Round(247 + (end.R - 247) * a), g = (int)Math.Round(247 + (end.G - 247) * a), b = (int)Math.Round(247 + (end.B - 247) * a);
        return $"#{r:x2}{g:x2}{b:x2}";
    }
}
