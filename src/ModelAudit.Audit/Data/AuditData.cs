using ModelAudit.Audit.Spec;
using ModelAudit.Onnx;
using ModelAudit.Tensors;
using ModelAudit.Tensors.Io;

namespace ModelAudit.Audit.Data;

/// <summary>The samples and labels of an audit, sampled with the spec's seed and preprocessed.</summary>
internal sealed record AuditData(Tensor Inputs, long[]? Labels)
{
    /// <summary>Reads the data the spec names, checks it against the model input, samples and preprocesses it.</summary>
    /// <exception cref="DataFileException">A file is unreadable.</exception>
    /// <exception cref="ModelInputException">Shapes or labels do not fit, a value is NaN or infinite, a label is outside the model's classes.</exception>
    /// <exception cref="AuditSpecException">An analysis option needs more samples than the audit has.</exception>
    public static AuditData Load(DataSpec spec, int seed, OnnxSession session)
    {
        NpyArray array;
        CsvData? csv = null;
        DataChecks.RequireRegularFile(spec.Inputs);
        if (spec.Labels is not null) DataChecks.RequireRegularFile(spec.Labels);
        var extension = Path.GetExtension(spec.Inputs).ToLowerInvariant();
        if (extension == ".csv")
        {
            csv = CsvData.Read(spec.Inputs, spec.CsvHeader, spec.LabelColumn);
            array = NpyArray.FromFloat32(csv.Features, csv.Rows, csv.Columns);
        }
        else if (extension == ".npz")
        {
            var arrays = NpzFile.Read(spec.Inputs);
            if (arrays.Count == 0) throw new DataFileException($"{spec.Inputs}: the archive holds no arrays");
            var key = spec.NpzKey ?? arrays.Keys.Order(StringComparer.Ordinal).First();
            array = arrays.TryGetValue(key, out var a) ? a
                : throw new DataFileException($"{spec.Inputs}: no array '{key}'; it holds {string.Join(", ", arrays.Keys.Order(StringComparer.Ordinal))}");
        }
        else array = NpyFile.Read(spec.Inputs);
        DataChecks.RequireFinite(array, spec.Inputs);

        int n = array.Shape.Length > 0 ? array.Shape[0] : 0;
        if (n == 0) throw new ModelInputException($"{spec.Inputs}: the file holds no samples");
        var inputs = session.InputFrom(array, spec.Inputs);
        // The one label loader: a .npy (integers, one per sample) or the CSV's label column, each inside the model's classes.
        long[]? labels = spec.Labels is not null ? ClassLabels.Read(spec.Labels, n, DataChecks.ClassCount(session, inputs.Shape))
            : csv is not null && spec.LabelColumn is not null ? ClassLabels.FromCsv(csv, spec.Inputs, DataChecks.ClassCount(session, inputs.Shape))
            : null;
        var indices = Sample(n, spec.Samples, seed);
        if (spec.Samples is { } wanted && wanted > n)
            throw new ModelInputException($"{spec.Inputs}: data.samples is {wanted} but the file holds {n} samples");
        if (indices.Length == 0) throw new ModelInputException($"{spec.Inputs}: the file holds no samples");
        foreach (var need in spec.Requirements)
        {
            if (indices.Length < need.Minimum)
                throw new AuditSpecException(need.File, need.Mark, $"{need.Reason}, which needs at least {need.Minimum} samples; the audit has {indices.Length} from {spec.Inputs}");
        }
        var dims = inputs.Shape.ToArray();
        int size = inputs.Length / Math.Max(n, 1);
        var source = inputs.Span;
        var picked = new float[indices.Length * size];
        for (int i = 0; i < indices.Length; i++) source.Slice(indices[i] * size, size).CopyTo(picked.AsSpan(i * size, size));
        inputs.Dispose();
        dims[0] = indices.Length;
        if (session.HasIntegerInput && (spec.Preprocessing.Scale != 1 || spec.Preprocessing.Mean.Count > 0 || spec.Preprocessing.Std.Count > 0))
            throw new ModelInputException($"{spec.Inputs}: data.preprocessing does not apply to token ids (the model input '{session.Input.Name}' is integer)");
        Preprocess(picked, dims, spec.Preprocessing, spec.Inputs);
        DataChecks.RequireFinite(picked, indices.Length, spec.Inputs, "becomes NaN or infinite after data.preprocessing");
        var data = new AuditData(Tensor.FromArray(picked, dims), labels is null ? null : [.. indices.Select(i => labels[i])]);
        foreach (var need in spec.Requirements.Where(r => r.MinimumPerClass > 0))
        {
            // Y is the labels, or (labels: predicted) the model's own predictions, as the analyses will see them.
            var classes = data.Labels ?? DataChecks.Predictions(session, data.Inputs);
            if (classes is null) continue;
            var few = classes.GroupBy(c => c).Select(g => (Class: g.Key, Count: g.Count())).Where(g => g.Count < need.MinimumPerClass).OrderBy(g => g.Class).ToList();
            if (few.Count > 0)
                throw new AuditSpecException(need.File, need.Mark, $"{need.Reason}, which needs at least {need.MinimumPerClass} samples of every class; class {few[0].Class} has {few[0].Count} in "
                    + (data.Labels is null ? "the model's predictions on " + spec.Inputs : spec.Labels ?? spec.Inputs));
        }
        return data;
    }

    /// <summary>All samples in order, or <paramref name="samples"/> distinct indices drawn with the seed, sorted.</summary>
    internal static int[] Sample(int n, int? samples, int seed)
    {
        if (samples is not { } k || k >= n) return [.. Enumerable.Range(0, n)];
        // Partial Fisher-Yates with a seeded System.Random: its seeded sequence is stable across .NET versions.
        var random = new Random(seed);
        var order = Enumerable.Range(0, n).ToArray();
        for (int i = 0; i < k; i++)
        {
            int j = random.Next(i, n);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var chosen = order[..k];
        Array.Sort(chosen);
        return chosen;
    }

    private static void Preprocess(float[] data, int[] dims, Preprocessing p, string source)
    {
        int channels = dims.Length >= 2 ? dims[1] : 1;
        foreach (var (values, name) in new[] { (p.Mean, "mean"), (p.Std, "std") })
            if (values.Count > 1 && values.Count != channels)
                throw new ModelInputException($"{source}: data.preprocessing.{name} has {values.Count} values for {channels} channels");
        if (p.Scale == 1 && p.Mean.Count == 0 && p.Std.Count == 0) return;
        int inner = 1;
        for (int d = 2; d < dims.Length; d++) inner *= dims[d];
        for (int i = 0; i < data.Length; i++)
        {
            int c = dims.Length >= 2 ? i / inner % channels : 0;
            double x = data[i] * p.Scale;
            if (p.Mean.Count > 0) x -= p.Mean[p.Mean.Count == 1 ? 0 : c];
            if (p.Std.Count > 0) x /= p.Std[p.Std.Count == 1 ? 0 : c];
            data[i] = (float)x;
        }
    }
}
