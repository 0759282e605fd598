using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Deep.Objectives;

/// <summary>
/// <c>R2(A,B) = ‖L_A⁻¹ S_AB L_B⁻ᵀ‖²_F = Σ ρᵢ²</c> as a typed module (functional twin:
/// <see cref="Correlation.R2"/>; mathematics and references there). Default correlation measure.
/// </summary>
public sealed class R2Correlation : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the measure with relative ridge <paramref name="ridge"/> (ε in docs/method.md §2).</summary>
    public R2Correlation(double ridge = Correlation.DefaultRidge) : base(nameof(R2Correlation))
    {
        Ridge = ridge;
        RegisterComponents();
    }

    /// <summary>Relative ridge ε.</summary>
    public double Ridge { get; }

    /// <summary>Σ ρᵢ² of the batches <paramref name="a"/> (n×a) and <paramref name="b"/> (n×b); float64 scalar.</summary>
    public override Tensor forward(Tensor a, Tensor b) => Correlation.R2(a, b, Ridge);
}

/// <summary>
/// <c>R1(A,B) = ‖T‖_* = Σ ρᵢ</c>, the Deep CCA objective (Andrew et al. 2013), as a typed module
/// (functional twin: <see cref="Correlation.R1"/>). Its backward goes through an SVD, which is
/// ill-conditioned where canonical correlations coincide.
/// </summary>
public sealed class R1Correlation : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the measure with relative ridge <paramref name="ridge"/>.</summary>
    public R1Correlation(double ridge = Correlation.DefaultRidge) : base(nameof(R1Correlation))
    {
        Ridge = ridge;
        RegisterComponents();
    }

    /// <summary>Relative ridge ε.</summary>
    public double Ridge { get; }

    /// <summary>Σ ρᵢ of the batches <paramref name="a"/> and <paramref name="b"/>; float64 scalar.</summary>
    public override Tensor forward(Tensor a, Tensor b) => Correlation.R1(a, b, Ridge);
}
