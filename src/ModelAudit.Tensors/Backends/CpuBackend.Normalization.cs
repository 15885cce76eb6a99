using System.Numerics.Tensors;

namespace ModelAudit.Tensors;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void BatchNormForward(float epsilon, Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor variance, Tensor y)
    {
        var (batch, channels, spatial) = GlobalPoolSizes(x.Shape);
        ReadOnlySpan<float> xs = x.Span, s = scale.Span, b = bias.Span, m = mean.Span, v = variance.Span;
        var ys = y.Span;
        for (int c = 0; c < channels; c++)
        {
            float k = s[c] / MathF.Sqrt(v[c] + epsilon);
            float shift = b[c] - m[c] * k;
            for (int n = 0; n < batch; n++)
            {
                int o = (n * channels + c) * spatial;
                for (int i = 0; i < spatial; i++) ys[o + i] = xs[o + i] * k + shift;
            }
        }
    }

    /// <inheritdoc/>
    public void BatchNormBackward(float epsilon, Tensor x, Tensor scale, Tensor mean, Tensor variance, Tensor dy, Tensor? dx, Tensor? dScale, Tensor? dBias)
    {
        var (batch, channels, spatial) = GlobalPoolSizes(dy.Shape);
        ReadOnlySpan<float> s = scale.Span, v = variance.Span, g = dy.Span;
        // x and mean are read only for the scale gradient.
        ReadOnlySpan<float> xs = dScale is null ? default : x.Span, m = dScale is null ? default : mean.Span;
        var d = dx is null ? default : dx.Span;
        for (int c = 0; c < channels; c++)
        {
            float inv = 1f / MathF.Sqrt(v[c] + epsilon);
            float k = s[c] * inv;
            double sumG = 0, sumGx = 0;
            for (int n = 0; n < batch; n++)
            {
                int o = (n * channels + c) * spatial;
                var gPlane = g.Slice(o, spatial);
                if (dx is not null) TensorPrimitives.Multiply(gPlane, k, d.Slice(o, spatial));
                // Sums in double, in a fixed order: reproducible to the bit.
                if (dBias is not null)
                    for (int i = 0; i < spatial; i++) sumG += gPlane[i];
                if (dScale is not null)
                {
                    var xPlane = xs.Slice(o, spatial);
                    float mc = m[c];
                    for (int i = 0; i < spatial; i++) sumGx += gPlane[i] * (double)(xPlane[i] - mc);
                }
            }
            if (dScale is not null) dScale.Span[c] = (float)(sumGx * inv);
            if (dBias is not null) dBias.Span[c] = (float)sumG;
        }
    }

    /// <inheritdoc/>
    public void SoftmaxForward(bool log, int outer, int axisLength, int inner, Tensor x, Tensor y)
    {
        ReadOnlySpan<float> xs = x.Span;
        var ys = y.Span;
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0; j < inner; j++)
            {
                int start = o * axisLength * inner + j;
                float max = float.NegativeInfinity;
                for (int a = 0; a < axisLength; a++) max = MathF.Max(max, xs[start + a * inner]);
                double sum = 0;
                for (int a = 0; a < axisLength; a++) sum += Math.Exp(xs[start + a * inner] - max);
                if (log)
                {
                    float logSum = (float)Math.Log(sum);
                    for (int a = 0; a < axisLength; a++) ys[start + a * inner] = xs[start + a * inner] - max - logSum;
                }
                else
                {
                    for (int a = 0; a < axisLength; a++) ys[start + a * inner] = (float)(Math.Exp(xs[start + a * inner] - max) / sum);
                }
            }
        }
    }

    /// <inheritdoc/>
    public void SoftmaxBackward(bool log, int outer, int axisLength, int inner, Tensor y, Tensor dy, Tensor dx)
    {
        ReadOnlySpan<float> ys = y.Span, g = dy.Span;
        var d = dx.Span;
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0; j < inner; j++)
            {
                int start = o * axisLength * inner + j;
                double dot = 0;
                if (log)
                {
                    // d(log softmax): dx = dy - softmax * sum(dy).
                    for (int a = 0; a < axisLength; a++) dot += g[start + a * inner];
                    for (int a = 0; a < axisLength; a++)
                    {
                        int i = start + a * inner;
                        d[i] = g[i] - MathF.Exp(ys[i]) * (float)dot;
                    }
                }
                else
                {
                    // d(softmax): dx = y * (dy - sum(dy * y)).
                    for (int a = 0; a < axisLength; a++) dot += g[start + a * inner] * ys[start + a * inner];
                    for (int a = 0; a < axisLength; a++)
                    {
                        int i = start + a * inner;
                        d[i] = ys[i] * (g[i] - (float)dot);
                    }
                }
            }
        }
    }
}
