namespace ModelAudit.Nif;

/// <summary>Accuracy of the model on the audit data before and after zeroing the weights and biases that produce the dead and stifled units.</summary>
/// <param name="PrunedUnits">Labels of the pruned units.</param>
/// <param name="AccuracyBefore">Accuracy of the original model.</param>
/// <param name="AccuracyAfter">Accuracy with the units' producing Gemm/Conv rows and biases zeroed.</param>
/// <param name="ZeroedParameters">Parameters set to 0.</param>
/// <param name="Skipped">Units that could not be pruned, with the reason (no Gemm/Conv producer).</param>
public sealed record NifPruning(IReadOnlyList<string> PrunedUnits, double AccuracyBefore, double AccuracyAfter, int ZeroedParameters, IReadOnlyList<string> Skipped);
