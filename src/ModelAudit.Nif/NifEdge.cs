namespace ModelAudit.Nif;

/// <summary>An edge of the flow graph: the network connects the two units (nonzero Jacobian entry).</summary>
/// <param name="From">Source node id.</param>
/// <param name="To">Target node id.</param>
/// <param name="MutualInformation">Estimated I(x_i; q_k) in bits before the redundancy term and clipping.</param>
/// <param name="Flow">Edge flow in bits (after the redundancy term, clipped at 0).</param>
/// <param name="AboveNoiseFloor">True when the flow exceeds the layer pair's noise floor.</param>
public sealed record NifEdge(int From, int To, double MutualInformation, double Flow, bool AboveNoiseFloor);
