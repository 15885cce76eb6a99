using System.Globalization;

namespace ModelAudit.Reporting.Svg;

/// <summary>A linear axis from data values to pixels with "nice" ticks.</summary>
internal sealed class Axis
{
    public Axis(double min, double max, double from, double to)
    {
        if (!(max > min))
        {
            double pad = Math.Abs(min) > 0 ? Math.Abs(min) * 0.1 : 1;
            min -= pad;
            max += pad;
        }
        double step = NiceStep((max - min) / 5);
        Min = Math.Floor(min / step) * step;
        Max = Math.Ceiling(max / step) * step;
        Step = step;
        From = from;
        To = to;
    }

    public double Min { get; }

    public double Max { get; }

    public double Step { get; }

    public double From { get; }

    public double To { get; }

    public double Map(double v) => From + (v - Min) / (Max - Min) * (To - From);

    public IEnumerable<double> Ticks()
    {
        for (int i = 0; Min + i * Step <= Max + Step * 1e-9; i++) yield return Min + i * Step;
    }

    public static string Label(double v) => Math.Abs(v) < 1e-12 ? "0" : v.ToString("G4", CultureInfo.InvariantCulture);

    private static double NiceStep(double raw)
    {
        if (!(raw > 0) || !double.IsFinite(raw)) return 1;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / magnitude;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
    }
}
