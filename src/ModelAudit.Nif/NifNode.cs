namespace ModelAudit.Nif;

/// <summary>A node of the flow graph: an input feature, a unit of a selected layer, or an output class.</summary>
/// <param name="Id">Index in <see cref="NifResult.Nodes"/>.</param>
/// <param name="Label">Display name, e.g. <c>input[2]</c>, <c>/relu1/Relu_output_0[4]</c>, <c>class[1]</c>.</param>
/// <param name="Layer">Layer index: 0 for the input, 1.. for the selected layers, the last for the classes.</param>
/// <param name="LayerName">The ONNX tensor name of the layer.</param>
/// <param name="Unit">Unit (feature, channel or class) index within the layer.</param>
/// <param name="Betweenness">Normalised betweenness centrality on the flow graph.</param>
/// <param name="Community">Louvain community.</param>
/// <param name="InFlow">Sum of incoming edge flows (bits).</param>
/// <param name="OutFlow">Sum of outgoing edge flows (bits).</param>
public sealed record NifNode(int Id, string Label, int Layer, string LayerName, int Unit, double Betweenness, int Community, double InFlow, double OutFlow);
