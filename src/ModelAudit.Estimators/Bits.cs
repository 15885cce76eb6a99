namespace ModelAudit.Estimators;

/// <summary>Unit conversion: the estimators compute in nats where natural and report bits.</summary>
internal static class Bits
{
    internal const double Ln2 = 0.69314718055994530942;

    internal static double FromNats(double nats) => nats / Ln2;
}
