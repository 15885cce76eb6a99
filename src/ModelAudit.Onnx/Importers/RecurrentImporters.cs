using ModelAudit.Onnx.Import;
using ModelAudit.Tensors.Operations;

namespace ModelAudit.Onnx.Importers;

/// <summary>
/// LSTM and GRU (layout 0: X [T,N,I]; forward, reverse, bidirectional; initial states; constant
/// sequence_lens; GRU linear_before_reset 0 and 1), unrolled at import into engine operations per time
/// step, so forward and gradients (to X, the states and the weights) come from those operations.
/// Defaults only: activations Sigmoid/Tanh/Tanh, no clip, no peepholes, input_forget 0.
/// </summary>
internal static class RecurrentImporters
{
    public static IEnumerable<IOnnxOperatorImporter> Create()
    {
        yield return new DelegateImporter("LSTM", c => Import(c, lstm: true), minOpset: 7);
        yield return new DelegateImporter("GRU", c => Import(c, lstm: false), minOpset: 7);
    }

    /// <summary>Most time steps unrolled: each step adds about 15 graph nodes per direction.</summary>
    public const int MaxSteps = 1024;

    private sealed record Geometry(int Steps, int Batch, int InputSize, int Hidden, int Directions, int Gates);

    private static void Import(OnnxImportContext context, bool lstm)
    {
        var g = CheckAttributes(context, lstm);
        int x = context.GetRuntimeInput(0);
        var lengths = SequenceLengths(context, g);
        bool linearBeforeReset = !lstm && context.GetFlag("linear_before_reset", false);
        string direction = context.GetString("direction", "forward");

        var ys = new int[g.Directions];
        var hs = new int[g.Directions];
        var cs = new int[g.Directions];
        for (int d = 0; d < g.Directions; d++)
        {
            bool reverse = direction == "reverse" || (direction == "bidirectional" && d == 1);
            var weights = new DirectionWeights(context, g, d);
            int h = InitialState(context, g, 5, d, "h");
            int c = lstm ? InitialState(context, g, 6, d, "c") : -1;
            // X W^T + biases for all steps in one product: [T, N, gates*H].
            int projected = context.AddHelperNode(new MatMul(), [x, weights.InputWeightsT], $"d{d}_xw");
            projected = context.AddBinary(BinaryKind.Add, projected, lstm ? weights.SumBias(0, 4) : weights.InputBias(), $"d{d}_xw_b");
            var outputs = new int[g.Steps];
            for (int s = 0; s < g.Steps; s++)
            {
                int t = reverse ? g.Steps - 1 - s : s;
                string p = $"d{d}_t{t}";
                int xt = context.AddReshape(context.AddHelperNode(new Slice([t], [t + 1], [0], [1]), [projected], p + "_x"), [g.Batch, g.Gates * g.Hidden], p + "_x2");
                int hNew, cNew = -1;
                if (lstm) (hNew, cNew) = LstmStep(context, g, weights, xt, h, c, p);
                else hNew = GruStep(context, g, weights, xt, h, linearBeforeReset, p);
                if (lengths is not null && lengths.Any(l => l <= t))
                {
                    // Past a sample's length its state stays and its output is 0 (ONNX sequence_lens).
                    int mask = context.AddConstantValue([.. lengths.Select(l => t < l ? 1f : 0f)], [g.Batch, 1], p + "_mask");
                    outputs[t] = context.AddBinary(BinaryKind.Mul, hNew, mask, p + "_y");
                    h = Hold(context, h, hNew, mask, p + "_h_held");
                    if (lstm) c = Hold(context, c, cNew, mask, p + "_c_held");
                }
                else
                {
                    outputs[t] = hNew;
                    h = hNew;
                    c = cNew;
                }
            }
            var stacked = outputs.Select((o, t) => context.AddReshape(o, [1, 1, g.Batch, g.Hidden], $"d{d}_t{t}_y4")).ToArray();
            ys[d] = g.Steps == 1 ? stacked[0] : context.AddHelperNode(new Concat(0), stacked, $"d{d}_y");
            hs[d] = context.AddReshape(h, [1, g.Batch, g.Hidden], $"d{d}_h_last");
            if (lstm) cs[d] = context.AddReshape(c, [1, g.Batch, g.Hidden], $"d{d}_c_last");
        }
        Bind(context, 0, ys, 1);
        Bind(context, 1, hs, 0);
        if (lstm) Bind(context, 2, cs, 0);
        else if (context.HasOutput(2)) throw context.Error($"output 2 '{context.OutputName(2)}' does not exist for GRU");
    }

    private static Geometry CheckAttributes(OnnxImportContext context, bool lstm)
    {
        if (context.GetInt("layout", 0, 0, 1) != 0) throw context.Error("layout=1 (batch first) is not supported");
        if (context.HasAttribute("clip")) throw context.Error("clip is not supported");
        if (context.HasAttribute("activations") || context.HasAttribute("activation_alpha") || context.HasAttribute("activation_beta"))
            throw context.Error("custom activations are not supported (only the defaults Sigmoid, Tanh, Tanh)");
        if (lstm && context.GetFlag("input_forget", false)) throw context.Error("input_forget=1 is not supported");
        if (lstm && context.HasInput(7)) throw context.Error("peephole weights P are not supported");
        string direction = context.GetString("direction", "forward");
        if (direction is not ("forward" or "reverse" or "bidirectional")) throw context.Error($"unknown direction '{direction}'");
        int directions = direction == "bidirectional" ? 2 : 1;
        int gates = lstm ? 4 : 3;
        var x = context.GetShape(0);
        if (x.Rank != 3) throw context.Error($"input X must be [T,N,I] but has shape {x}");
        if (x[0] > MaxSteps) throw context.Error($"sequence length {x[0]} is more than the {MaxSteps} steps a recurrent layer is unrolled to");
        var w = context.GetShape(1);
        var r = context.GetShape(2);
        int hidden = w.Rank == 3 ? w[1] / gates : 0;
        if (w.Rank != 3 || w[0] != directions || w[1] % gates != 0 || hidden == 0 || w[2] != x[2])
            throw context.Error($"W {w} must be [{directions},{gates}*hidden,{x[2]}]");
        if (context.HasAttribute("hidden_size") && context.GetInt("hidden_size", 0, 1, int.MaxValue) != hidden)
            throw context.Error($"hidden_size {context.GetInt("hidden_size", 0)} does not match W {w}");
        if (r.Rank != 3 || r[0] != directions || r[1] != gates * hidden || r[2] != hidden)
            throw context.Error($"R {r} must be [{directions},{gates * hidden},{hidden}]");
        if (context.HasInput(3))
        {
            var b = context.GetShape(3);
            if (b.Rank != 2 || b[0] != directions || b[1] != 2 * gates * hidden) throw context.Error($"B {b} must be [{directions},{2 * gates * hidden}]");
        }
        foreach (int i in lstm ? new[] { 5, 6 } : [5])
        {
            if (!context.HasInput(i)) continue;
            var s = context.GetShape(i);
            if (s.Rank != 3 || s[0] != directions || s[1] != x[1] || s[2] != hidden)
                throw context.Error($"initial state '{context.InputName(i)}' {s} must be [{directions},{x[1]},{hidden}]");
        }
        return new Geometry(x[0], x[1], x[2], hidden, directions, gates);
    }

    private static long[]? SequenceLengths(OnnxImportContext context, Geometry g)
    {
        if (!context.HasInput(4)) return null;
        if (!context.IsConstant(4))
            throw context.Error($"sequence_lens '{context.InputName(4)}' would need a runtime integer tensor; only lengths known when the graph is built are supported");
        var lengths = context.GetConstantInts(4);
        if (lengths.Length != g.Batch) throw context.Error($"sequence_lens has {lengths.Length} values for batch {g.Batch}");
        if (lengths.Any(l => l < 0 || l > g.Steps)) throw context.Error($"sequence_lens [{string.Join(",", lengths)}] must lie in [0, {g.Steps}]");
        return lengths;
    }

    private static int InitialState(OnnxImportContext context, Geometry g, int index, int direction, string name)
    {
        if (!context.HasInput(index)) return context.AddConstantValue(new float[g.Batch * g.Hidden], [g.Batch, g.Hidden], $"{name}0_d{direction}");
        int all = context.GetRuntimeInput(index);
        int slice = context.AddHelperNode(new Slice([direction], [direction + 1], [0], [1]), [all], $"{name}0_d{direction}");
        return context.AddReshape(slice, [g.Batch, g.Hidden], $"{name}0_d{direction}_2d");
    }

    // state + mask * (new - state): the new state where the mask is 1, the old one where it is 0.
    private static int Hold(OnnxImportContext context, int state, int updated, int mask, string suffix)
    {
        int change = context.AddBinary(BinaryKind.Sub, updated, state, suffix + "_change");
        return context.AddBinary(BinaryKind.Add, state, context.AddBinary(BinaryKind.Mul, change, mask, suffix + "_masked"), suffix);
    }

    private static int Gate(OnnxImportContext context, Geometry g, int value, int gate, string suffix)
        => context.AddHelperNode(new Slice([gate * g.Hidden], [(gate + 1) * g.Hidden], [1], [1]), [value], suffix);

    // ONNX gate order i, o, f, c: c' = f c + i tanh(.), h' = o tanh(c').
    private static (int H, int C) LstmStep(OnnxImportContext context, Geometry g, DirectionWeights w, int xt, int h, int c, string p)
    {
        int gates = context.AddBinary(BinaryKind.Add, xt, context.AddHelperNode(new MatMul(), [h, w.RecurrentWeightsT()], p + "_hr"), p + "_gates");
        int i = context.AddUnary(UnaryKind.Sigmoid, Gate(context, g, gates, 0, p + "_i_pre"), p + "_i");
        int o = context.AddUnary(UnaryKind.Sigmoid, Gate(context, g, gates, 1, p + "_o_pre"), p + "_o");
        int f = context.AddUnary(UnaryKind.Sigmoid, Gate(context, g, gates, 2, p + "_f_pre"), p + "_f");
        int candidate = context.AddUnary(UnaryKind.Tanh, Gate(context, g, gates, 3, p + "_c_pre"), p + "_cand");
        int cNew = context.AddBinary(BinaryKind.Add, context.AddBinary(BinaryKind.Mul, f, c, p + "_fc"), context.AddBinary(BinaryKind.Mul, i, candidate, p + "_ic"), p + "_c");
        int hNew = context.AddBinary(BinaryKind.Mul, o, context.AddUnary(UnaryKind.Tanh, cNew, p + "_tanh_c"), p + "_h");
        return (hNew, cNew);
    }

    // ONNX gate order z, r, h: h' = (1 - z) n + z h = n + z (h - n).
    private static int GruStep(OnnxImportContext context, Geometry g, DirectionWeights w, int xt, int h, bool linearBeforeReset, string p)
    {
        int n;
        int z, r;
        if (linearBeforeReset)
        {
            int hr = context.AddBinary(BinaryKind.Add, context.AddHelperNode(new MatMul(), [h, w.RecurrentWeightsT()], p + "_hr"), w.RecurrentBias(), p + "_hr_b");
            z = context.AddUnary(UnaryKind.Sigmoid, context.AddBinary(BinaryKind.Add, Gate(context, g, xt, 0, p + "_xz"), Gate(context, g, hr, 0, p + "_hz"), p + "_z_pre"), p + "_z");
            r = context.AddUnary(UnaryKind.Sigmoid, context.AddBinary(BinaryKind.Add, Gate(context, g, xt, 1, p + "_xr"), Gate(context, g, hr, 1, p + "_hrr"), p + "_r_pre"), p + "_r");
            int reset = context.AddBinary(BinaryKind.Mul, r, Gate(context, g, hr, 2, p + "_hh"), p + "_rh");
            n = context.AddUnary(UnaryKind.Tanh, context.AddBinary(BinaryKind.Add, Gate(context, g, xt, 2, p + "_xh"), reset, p + "_n_pre"), p + "_n");
        }
        else
        {
            int hzr = context.AddBinary(BinaryKind.Add, context.AddHelperNode(new MatMul(), [h, w.RecurrentWeightsT(0, 2)], p + "_hzr"), w.RecurrentBias(0, 2), p + "_hzr_b");
            z = context.AddUnary(UnaryKind.Sigmoid, context.AddBinary(BinaryKind.Add, Gate(context, g, xt, 0, p + "_xz"), Gate(context, g, hzr, 0, p + "_hz"), p + "_z_pre"), p + "_z");
            r = context.AddUnary(UnaryKind.Sigmoid, context.AddBinary(BinaryKind.Add, Gate(context, g, xt, 1, p + "_xr"), Gate(context, g, hzr, 1, p + "_hrr"), p + "_r_pre"), p + "_r");
            int rh = context.AddBinary(BinaryKind.Mul, r, h, p + "_rh");
            int hh = context.AddBinary(BinaryKind.Add, context.AddHelperNode(new MatMul(), [rh, w.RecurrentWeightsT(2, 3)], p + "_hh"), w.RecurrentBias(2, 3), p + "_hh_b");
            n = context.AddUnary(UnaryKind.Tanh, context.AddBinary(BinaryKind.Add, Gate(context, g, xt, 2, p + "_xh"), hh, p + "_n_pre"), p + "_n");
        }
        int diff = context.AddBinary(BinaryKind.Sub, h, n, p + "_h_minus_n");
        return context.AddBinary(BinaryKind.Add, n, context.AddBinary(BinaryKind.Mul, z, diff, p + "_z_diff"), p + "_h");
    }

    private static void Bind(OnnxImportContext context, int output, int[] perDirection, int axis)
    {
        if (!context.HasOutput(output)) return;
        int value = perDirection.Length == 1 ? perDirection[0] : context.AddHelperNode(new Concat(axis), perDirection, $"out{output}");
        context.SetAlias(output, value);
    }

    /// <summary>One direction's weights as runtime slices of W, R, B (so their gradients reach the initializers).</summary>
    private sealed class DirectionWeights
    {
        private readonly OnnxImportContext _context;
        private readonly Geometry _g;
        private readonly int _d;
        private readonly Dictionary<(int, int), int> _recurrentT = [];
        private readonly Dictionary<(int, int), int> _recurrentBias = [];

        public DirectionWeights(OnnxImportContext context, Geometry g, int direction)
        {
            _context = context;
            _g = g;
            _d = direction;
            int w = Direction(1, "w");
            InputWeightsT = context.AddHelperNode(new Transpose([1, 0]), [w], $"d{direction}_wt");
        }

        /// <summary>W[d]^T: [I, gates*H].</summary>
        public int InputWeightsT { get; }

        private int Direction(int input, string name)
        {
            int all = _context.GetRuntimeInput(input);
            var shape = _context.GetShape(input);
            int slice = _context.AddHelperNode(new Slice([_d], [_d + 1], [0], [1]), [all], $"d{_d}_{name}3");
            return _context.AddReshape(slice, shape.ToArray()[1..], $"d{_d}_{name}");
        }

        /// <summary>R[d][gates first..last)^T: [H, (last-first)*H] (all gates by default).</summary>
        public int RecurrentWeightsT(int first = 0, int last = -1)
        {
            if (last < 0) last = _g.Gates;
            if (_recurrentT.TryGetValue((first, last), out var cached)) return cached;
            int r = Direction(2, $"r{first}{last}");
            if (first != 0 || last != _g.Gates)
                r = _context.AddHelperNode(new Slice([first * _g.Hidden], [last * _g.Hidden], [0], [1]), [r], $"d{_d}_r{first}{last}_rows");
            int t = _context.AddHelperNode(new Transpose([1, 0]), [r], $"d{_d}_r{first}{last}_t");
            _recurrentT[(first, last)] = t;
            return t;
        }

        /// <summary>Wb[d]: [gates*H] (zeros when B is absent).</summary>
        public int InputBias() => BiasPart(0, _g.Gates, "wb");

        /// <summary>Rb[d][gates first..last): [(last-first)*H].</summary>
        public int RecurrentBias(int first = 0, int last = -1)
        {
            if (last < 0) last = _g.Gates;
            if (_recurrentBias.TryGetValue((first, last), out var cached)) return cached;
            int b = BiasPart(_g.Gates + first, _g.Gates + last, $"rb{first}{last}");
            _recurrentBias[(first, last)] = b;
            return b;
        }

        /// <summary>Wb[d] + Rb[d] over gates [first, last).</summary>
        public int SumBias(int first, int last)
            => _context.AddBinary(BinaryKind.Add, BiasPart(first, last, "wb"), BiasPart(_g.Gates + first, _g.Gates + last, "rb"), $"d{_d}_bias");

        private int BiasPart(int first, int last, string name)
        {
            int length = (last - first) * _g.Hidden;
            if (!_context.HasInput(3)) return _context.AddConstantValue(new float[length], [length], $"d{_d}_{name}_zero");
            int b = Direction(3, $"b_{name}");
            return _context.AddHelperNode(new Slice([first * _g.Hidden], [last * _g.Hidden], [0], [1]), [b], $"d{_d}_{name}");
        }
    }
}
