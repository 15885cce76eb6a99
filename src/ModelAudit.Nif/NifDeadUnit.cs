namespace ModelAudit.Nif;

/// <summary>A unit of a selected layer with no information flow in or out (above the noise floor).</summary>
/// <param name="Node">Node id.</param>
/// <param name="Label">Node label.</param>
/// <param name="Kind"><c>dead</c> (its activation is constant on the audit data) or <c>stifled</c> (it varies, but no edge in or no edge out is above the noise floor).</param>
/// <param name="ZeroFraction">Fraction of its activation values that are exactly 0.</param>
/// <param name="Mean">Mean activation.</param>
/// <param name="Max">Largest activation.</param>
public sealed record NifDeadUnit(int Node, string Label, string Kind, double ZeroFraction, double Mean, double Max);
