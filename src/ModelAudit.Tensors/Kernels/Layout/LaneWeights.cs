using System.Runtime.InteropServices;

namespace ModelAudit.Tensors.Kernels.Layout;

/// <summary>
/// Per-channel filters laid out for the channels-in-lanes kernels: channel c's tap t at
/// <see cref="Weights"/>(c / 16)[t * 16 + c % 16], its bias at <see cref="Bias"/>(c / 16)[c % 16], zeros in the lanes past
/// the last channel, every block 64-byte aligned (one cache line per tap's vector). Native memory, freed by <see cref="Dispose"/>.
/// </summary>
internal readonly unsafe struct LaneWeights : IDisposable
{
    private const int Lanes = 16;

    private readonly float* _memory;
    private readonly int _taps, _blocks;

    /// <summary>Lays out <paramref name="channels"/> filters of <paramref name="taps"/> weights each (w[c * taps + t]) and their bias (null: zeros).</summary>
    public LaneWeights(float* w, float* bias, int channels, int taps)
    {
        _taps = taps;
        _blocks = (channels + Lanes - 1) / Lanes;
        nuint floats = (nuint)((long)_blocks * (taps + 1) * Lanes);
        _memory = (float*)NativeMemory.AlignedAlloc(floats * sizeof(float), 64);
        new Span<float>(_memory, checked((int)floats)).Clear();
        float* laneBias = _memory + (long)_blocks * taps * Lanes;
        for (int c = 0; c < channels; c++)
        {
            float* to = _memory + (long)c / Lanes * taps * Lanes + c % Lanes, from = w + (long)c * taps;
            for (int t = 0; t < taps; t++) to[(long)t * Lanes] = from[t];
            if (bias != null) laneBias[c] = bias[c];
        }
    }

    /// <summary>Taps x 16 weights of channel block <paramref name="block"/>.</summary>
    public float* Weights(int block) => _memory + (long)block * _taps * Lanes;

    /// <summary>The 16 biases of channel block <paramref name="block"/>.</summary>
    public float* Bias(int block) => _memory + ((long)_blocks * _taps + block) * Lanes;

    public void Dispose() => NativeMemory.AlignedFree(_memory);
}
