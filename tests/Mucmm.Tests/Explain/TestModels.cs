using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Tests.Explain;

/// <summary>
/// A test double of <see cref="IMultiviewModel"/> with fixed random weights: per view
/// h_m = f(x_m H_m) (or h_m = x_m when linear), c_m = h_m A_m, u_m = h_m W_m. With the identity
/// encoder every score has a closed-form gradient (docs/method.md §5).
/// </summary>
public sealed class FixedModel : IMultiviewModel, IRandomizableModel
{
    public enum Encoder { Identity, Tanh, Relu }

    private readonly Encoder _encoder;
    private readonly int _hidden;
    private readonly int _seed;

    public FixedModel(int[] inputDims, int commonDim, int[] individualDims, int seed, Encoder encoder = Encoder.Identity, int hidden = 16)
    {
        InputDims = inputDims;
        CommonDim = commonDim;
        IndividualDims = individualDims;
        _encoder = encoder;
        _hidden = hidden;
        _seed = seed;
        var g = new torch.Generator((ulong)seed);
        for (int m = 0; m < inputDims.Length; m++)
        {
            int width = encoder == Encoder.Identity ? inputDims[m] : hidden;
            // Weights outlive any test's dispose scope (the model may be a static shared by tests).
            H.Add((randn(inputDims[m], hidden, dtype: float64, generator: g) / Math.Sqrt(inputDims[m])).DetachFromDisposeScope());
            A.Add((randn(width, commonDim, dtype: float64, generator: g) / Math.Sqrt(width)).DetachFromDisposeScope());
            W.Add((randn(width, individualDims[m], dtype: float64, generator: g) / Math.Sqrt(width)).DetachFromDisposeScope());
        }
    }

    public List<Tensor> H { get; } = [];
    public List<Tensor> A { get; } = [];
    public List<Tensor> W { get; } = [];

    public string Kind => "test";
    public int ViewCount => InputDims.Count;
    public IReadOnlyList<int> InputDims { get; }
    public int CommonDim { get; }
    public IReadOnlyList<int> IndividualDims { get; }

    public Tensor Features(int m, Tensor x) => _encoder switch
    {
        Encoder.Identity => x.to(float64),
        Encoder.Tanh => x.to(float64).matmul(H[m]).tanh(),
        _ => x.to(float64).matmul(H[m]).relu(),
    };

    public MultiviewOutput Transform(IReadOnlyList<Mucmm.Data.View> views) => ForwardBatches.Transform(this, views);

    public void Dispose() { }

    public MultiviewOutput Forward(IReadOnlyList<Tensor> inputs)
    {
        var h = inputs.Select((x, m) => Features(m, x)).ToArray();
        return new MultiviewOutput(
            h.Select((t, m) => t.matmul(A[m])).ToArray(),
            h.Select((t, m) => t.matmul(W[m])).ToArray());
    }

    public void Save(string directory) => throw new NotSupportedException("test double");

    public IMultiviewModel WithRandomizedHeads(int seed) =>
        new FixedModel(InputDims.ToArray(), CommonDim, IndividualDims.ToArray(), seed, _encoder, _hidden);
}
