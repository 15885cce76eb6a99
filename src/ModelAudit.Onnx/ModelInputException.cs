namespace ModelAudit.Onnx;

/// <summary>Input data, targets or layer names that do not fit the model; the message names what is wrong.</summary>
public sealed class ModelInputException(string message) : Exception(message);
