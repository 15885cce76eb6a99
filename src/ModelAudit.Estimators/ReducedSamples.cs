namespace ModelAudit.Estimators;

/// <summary>Samples after a <see cref="Reduction"/>, with a record of what was done.</summary>
/// <param name="Samples">The reduced matrix.</param>
/// <param name="Applied">The reduction that produced it.</param>
/// <param name="OriginalColumns">Feature count before the reduction.</param>
public sealed record ReducedSamples(SampleMatrix Samples, Reduction Applied, int OriginalColumns);
