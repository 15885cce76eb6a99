namespace ModelAudit.Tensors.Io;

/// <summary>A data file (.npy, .npz, .csv) that cannot be read or holds unsupported data; the message names the file.</summary>
public sealed class DataFileException(string message, Exception? inner = null) : Exception(message, inner);
