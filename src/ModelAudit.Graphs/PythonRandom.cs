namespace ModelAudit.Graphs;

/// <summary>
/// CPython's <c>random.Random(seed)</c> for a nonnegative integer seed: MT19937 seeded by <c>init_by_array</c>,
/// with <c>shuffle</c> drawing by rejection from <c>getrandbits</c>. Reproducing it lets Louvain visit nodes in
/// the same order as NetworkX for the same seed.
/// </summary>
internal sealed class PythonRandom
{
    private const int StateSize = 624, ShiftSize = 397;
    private readonly uint[] _state = new uint[StateSize];
    private int _index;

    public PythonRandom(int seed)
    {
        // CPython seeds with abs(seed) split into 32-bit words; a 32-bit seed (0 included) is one word.
        uint key = (uint)Math.Abs((long)seed);
        InitGenrand(19650218U);
        int i = 1;
        for (int k = StateSize; k > 0; k--)
        {
            _state[i] = (_state[i] ^ ((_state[i - 1] ^ (_state[i - 1] >> 30)) * 1664525U)) + key;
            i++;
            if (i >= StateSize)
            {
                _state[0] = _state[StateSize - 1];
                i = 1;
            }
        }

        for (int k = StateSize - 1; k > 0; k--)
        {
            _state[i] = (_state[i] ^ ((_state[i - 1] ^ (_state[i - 1] >> 30)) * 1566083941U)) - (uint)i;
            i++;
            if (i >= StateSize)
            {
                _state[0] = _state[StateSize - 1];
                i = 1;
            }
        }

        _state[0] = 0x80000000U;
        _index = StateSize;
    }

    /// <summary>Next 32-bit output of the generator (<c>genrand_uint32</c>).</summary>
    public uint NextUInt32()
    {
        if (_index >= StateSize)
        {
            Twist();
        }

        uint y = _state[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680U;
        y ^= (y << 15) & 0xefc60000U;
        y ^= y >> 18;
        return y;
    }

    /// <summary>In-place shuffle identical to Python's <c>random.shuffle</c>.</summary>
    public void Shuffle(int[] items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = Below(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>Python's <c>_randbelow_with_getrandbits</c>: uniform in [0, n) by rejection on bit_length(n) bits.</summary>
    private int Below(int n)
    {
        int bits = 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)n);
        uint r = NextUInt32() >> (32 - bits);
        while (r >= (uint)n)
        {
            r = NextUInt32() >> (32 - bits);
        }

        return (int)r;
    }

    private void InitGenrand(uint seed)
    {
        _state[0] = seed;
        for (int i = 1; i < StateSize; i++)
        {
            _state[i] = 1812433253U * (_state[i - 1] ^ (_state[i - 1] >> 30)) + (uint)i;
        }
    }

    private void Twist()
    {
        for (int k = 0; k < StateSize; k++)
        {
            uint y = (_state[k] & 0x80000000U) | (_state[(k + 1) % StateSize] & 0x7fffffffU);
            _state[k] = _state[(k + ShiftSize) % StateSize] ^ (y >> 1) ^ ((y & 1U) != 0 ? 0x9908b0dfU : 0U);
        }

        _index = 0;
    }
}
