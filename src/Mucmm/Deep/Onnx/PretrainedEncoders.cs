using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Deep.Onnx;

/// <summary>
/// The pretrained encoders by their command-line names — <c>resnet18</c>, <c>resnet18:SIZE</c>, <c>onnx:PATH</c>,
/// <c>torchscript:PATH</c> — and the frozen features they compute (<c>mucmm features</c>).
/// </summary>
public static class PretrainedEncoders
{
    /// <summary>The accepted forms, for messages.</summary>
    public const string Forms = "resnet18, resnet18:SIZE, onnx:PATH or torchscript:PATH";

    /// <summary>Creates the encoder named by <paramref name="spec"/> for samples of shape <paramref name="sampleShape"/>; frozen unless <paramref name="trainable"/>.</summary>
    public static Encoder Create(string spec, IReadOnlyList<int> sampleShape, bool trainable = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int d = sampleShape.Aggregate(1, (a, b) => a * b);
        string s = spec.Trim();
        if (s.Equals("resnet18", StringComparison.OrdinalIgnoreCase)) return new ResNet18Encoder(sampleShape, ResNet18Encoder.NativeSize, trainable);
        if (s.StartsWith("resnet18:", StringComparison.OrdinalIgnoreCase))
            return int.TryParse(s["resnet18:".Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int size)
                ? new ResNet18Encoder(sampleShape, size, trainable)
                : throw new MucmmUserException($"encoder '{spec}': resnet18:SIZE needs an integer size");
        if (s.StartsWith("onnx:", StringComparison.OrdinalIgnoreCase)) return new OnnxEncoder(s["onnx:".Length..], d, trainable);
        if (s.StartsWith("torchscript:", StringComparison.OrdinalIgnoreCase))
        {
            var ts = new TorchScriptEncoder(s["torchscript:".Length..], d);
            if (!trainable) foreach (var p in ts.parameters()) p.requires_grad = false;
            return ts;
        }
        throw new MucmmUserException($"encoder must be {Forms}, got '{spec}'");
    }

    /// <summary>
    /// The features (rows × <see cref="Encoder.OutputDim"/>, row-major) of <paramref name="rows"/> samples stored
    /// row-major in <paramref name="data"/>, computed under no_grad in eval mode (folded ONNX weights computed once:
    /// <see cref="OnnxModule.ReuseFoldedWeights"/>), <paramref name="batch"/> rows at a time;
    /// <paramref name="progress"/> gets the number of rows done after each batch.
    /// </summary>
    public static double[] Features(Encoder encoder, double[] data, int rows, int batch = ViewEncoders.ImageBatch, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(data);
        if (rows <= 0 || data.Length % rows != 0) throw new ArgumentException("data length must be a multiple of a positive row count", nameof(rows));
        if (batch < 1) throw new MucmmUserException($"the batch size must be ≥ 1, got {batch}");
        int d = data.Length / rows, f = encoder.OutputDim;
        var result = new double[(long)rows * f];
        encoder.eval();
        using var _ = no_grad();
        using var reuse = OnnxModule.ReuseFoldedWeights();   // frozen weights: fold them once, not at every batch
        for (int start = 0; start < rows; start += batch)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(batch, rows - start);
            var x = torch.tensor(data.AsSpan(start * d, count * d).ToArray(), [count, d]).to_type(ScalarType.Float32);
            var y = encoder.call(x).to_type(ScalarType.Float64).contiguous();
            if (y.shape[0] != count || y.shape[1] != f)
                throw new MucmmUserException($"the encoder returned shape [{string.Join(", ", y.shape)}], expected [{count}, {f}]");
            y.data<double>().CopyTo(result.AsSpan(start * f, count * f));
            progress?.Invoke(start + count);
        }
        return result;
    }
}
