using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mucmm.Deep;

/// <summary>Outputs of one view's network for a batch: features h, common c, individual u (float32, rows = samples).</summary>
/// <param name="Features">h_m = f_m(x_m).</param>
/// <param name="Common">c_m = g_m(h_m), n × k.</param>
/// <param name="Individual">u_m = q_m(h_m), n × r_m (n × 0 for Deep CCA).</param>
public sealed record ViewOutputs(Tensor Features, Tensor Common, Tensor Individual);

/// <summary>
/// The network of one view: encoder f_m, common head g_m, individual head q_m and decoder D_m
/// (docs/method.md §8). The heads can also be applied to cached features (<see cref="Heads"/>),
/// which is how a frozen encoder is trained fast.
/// </summary>
public sealed class ViewNetwork : nn.Module<Tensor, ViewOutputs>
{
    private readonly Encoder encoder;
    private readonly Sequential common;
    private readonly Sequential? individual;
    private readonly Sequential? decoder;

    /// <summary>Creates the network of a view; <paramref name="decoderOutput"/> is the reconstruction target width (0: no decoder).</summary>
    public ViewNetwork(Encoder encoder, DeepModelOptions options, int decoderOutput) : base(nameof(ViewNetwork))
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(options);
        this.encoder = encoder;
        int f = encoder.OutputDim;
        int[] headHidden = options.Head == HeadKind.Mlp ? [options.HeadHidden] : [];
        common = Layers.Mlp(f, headHidden, options.CommonDim);
        IndividualDim = options.Kind == DeepModelKind.Mucmm ? options.IndividualDim : 0;
        if (IndividualDim > 0)
        {
            individual = Layers.Mlp(f, headHidden, IndividualDim);
            if (decoderOutput > 0)
                decoder = Layers.Mlp(options.CommonDim + IndividualDim, options.DecoderHidden > 0 ? [options.DecoderHidden] : [], decoderOutput);
        }
        CommonDim = options.CommonDim;
        RegisterComponents();
    }

    /// <summary>The encoder f_m.</summary>
    public Encoder Encoder => encoder;

    /// <summary>k.</summary>
    public int CommonDim { get; }

    /// <summary>r_m (0 for Deep CCA).</summary>
    public int IndividualDim { get; }

    /// <summary>Whether this view has a decoder.</summary>
    public bool HasDecoder => decoder is not null;

    /// <summary>Encoder, then both heads.</summary>
    public override ViewOutputs forward(Tensor x)
    {
        var h = encoder.call(x);
        var (c, u) = Heads(h);
        return new ViewOutputs(h, c, u);
    }

    /// <summary>Both heads on features <paramref name="h"/>: (c, u).</summary>
    public (Tensor Common, Tensor Individual) Heads(Tensor h)
    {
        var c = common.call(h);
        var u = individual is null ? h.new_zeros(new long[] { h.shape[0], 0 }) : individual.call(h);
        return (c, u);
    }

    /// <summary>D_m([c, u]).</summary>
    public Tensor Decode(Tensor c, Tensor u) =>
        (decoder ?? throw new InvalidOperationException("this view has no decoder")).call(cat([c, u], 1));

    /// <summary>Parameters of the heads and decoder only (what trains when the encoder is frozen).</summary>
    public IEnumerable<Parameter> HeadParameters() =>
        common.parameters()
            .Concat(individual?.parameters() ?? [])
            .Concat(decoder?.parameters() ?? []);
}
