using Mucmm.Data;
using Mucmm.Data.Datasets;
using Mucmm.Deep;
using Mucmm.Deep.Objectives;
using Mucmm.Linear;
using Mucmm.Numerics;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Deep;

/// <summary>Issue 14: deep MUCMM and Deep CCA with M = 3 views (training, multiset alignment, save/load).</summary>
public class ThreeViewDeepTests
{
    private const double Sigma = 0.3;

    /// <summary>
    /// Three views of the <c>synthetic</c> generator: widths 10, 8, 12, k = 2 shared latents (scales 3, 2), r = 2
    /// view-specific latents per view (scales 1.5, 1), noise σ = 0.3, 3,000 rows. The dataset's factors hold the latents.
    /// </summary>
    private static PairedDataset Data(int seed) => SyntheticDataset.Generate(new SyntheticOptions
    {
        Samples = 3000, Dims = [10, 8, 12], CommonDim = 2, IndividualDims = [2, 2, 2], Noise = Sigma, Seed = seed,
    }).Data;

    private static readonly DeepModelOptions Mlp = new()
    {
        Encoder = EncoderKind.Mlp, EncoderHidden = [64], CommonDim = 2, IndividualDim = 2, DecoderHidden = 32,
    };

    /// <summary>
    /// α = β = 0.1 as in DeepTrainerTests.LinearHeadsRecoverTheClosedFormSubspaces (with α = β = 1 the steep
    /// penalties dominate and, at 60 epochs, one view's individual head still held a shared latent: canonical correlation
    /// 0.71 with it, measured while writing this test).
    /// </summary>
    private static readonly DeepTrainingOptions Training = new()
    {
        Epochs = 60, BatchSize = 250, LearningRate = 1e-2, Seed = 1, Patience = 0, WarmupEpochs = 3, Schedule = LearningRateSchedule.Constant,
        Objective = new MucmmObjectiveOptions(Alpha: 0.1, Beta: 0.1),
    };


    private static Tensor Latents(PairedDataset d, Split split, string prefix)
    {
        var rows = d.RowsOf(split);
        var names = d.Factors.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        var values = new double[rows.Length * names.Length];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < names.Length; j++) values[i * names.Length + j] = d.Factors[names[j]][rows[i]];
        return tensor(values, [rows.Length, names.Length], dtype: float64);
    }

    /// <summary>Canonical correlations (exact CCA, no ridge) between two sets of columns, descending.</summary>
    private static double[] Cca(Tensor a, Tensor b) =>
        CanonicalCorrelation.Fit(CovarianceStats.FromTensors([a, b]), ridge: 0).Correlations.ToArray();

    /// <summary>
    /// Oracle: the ground truth of the generator. For view m the best any map of xₘ can do in predicting a shared
    /// latent of scale a is the linear one, with correlation ρ* = a/√(a² + σ²) (the latent's direction is orthogonal to
    /// every other latent's and the noise is isotropic): 0.989 for the weaker latent (a = 2, σ = 0.3); for the weaker
    /// view-specific latent (b = 1) 0.958. Deep MUCMM (MLP encoders of 64 units, 60 epochs) with three views must, on the
    /// test rows, reach both canonical correlations of each view's common variates with the 2 shared latents ≥ ρ* − 0.05
    /// = 0.939, and of each view's individual variates with its own 2 latents ≥ 0.958 − 0.1 = 0.858; the individual
    /// variates must not carry the shared latents or another view's latents (largest canonical correlation ≤ 0.25,
    /// against chance ≈ √(4/300) ≈ 0.12 for 300 test rows). The individual score of view m must rank rows by view m's own
    /// latents: corr(S_uᵐ, ‖z_uᵐ‖²) ≥ 0.5 and |corr(S_uᵐ, ‖z_uᵒ‖²)| ≤ 0.2 for o ≠ m.
    /// </summary>
    /// <remarks>
    /// Measured with these settings (data seed 4, the test's): common ≥ 0.987, individual vs own ≥ 0.876, individual vs
    /// shared ≤ 0.114, vs other views' ≤ 0.182, score correlations 0.82–0.93 (own) and ≤ 0.095 (other). On data seeds 5
    /// and 6 the common part is as good (≥ 0.985) but the weaker view-specific latent of one view is caught less well
    /// (individual vs own ≥ 0.903 and 0.770): the threshold holds for the fixed seed, not for every draw. With α = β = 1
    /// (the defaults) the second shared latent was caught at only 0.64–0.66 by any view's common variates after 60 epochs,
    /// while the views' common variates correlated 0.977 with each other: an MLP can share a nonlinear function of the
    /// first latent (e.g. its square) between views, which a linear canonical correlation with the latents does not see.
    /// </remarks>
    [Fact]
    public void Deep_mucmm_with_three_views_recovers_shared_and_view_specific_latents()
    {
        using var scope = NewDisposeScope();
        var data = Data(seed: 4);
        using var model = new DeepTrainer(Mlp, Training).Fit(data);
        Assert.Equal(3, model.ViewCount);
        var test = data.Subset(Split.Test);
        var z = model.Transform(test.Views);
        var shared = Latents(data, Split.Test, "common");
        var own = Enumerable.Range(1, 3).Select(m => Latents(data, Split.Test, $"individual{m}_")).ToArray();
        var scores = Enumerable.Range(1, 3).Select(m => Mucmm.Explain.Score.Individual(m).Evaluate(z)).ToArray();
        for (int m = 0; m < 3; m++)
        {
            var common = Cca(z.Common[m], shared);
            var individual = Cca(z.Individual[m], own[m]);
            double leakShared = Cca(z.Individual[m], shared)[0];
            double leakOther = Enumerable.Range(0, 3).Where(o => o != m).Max(o => Cca(z.Individual[m], own[o])[0]);
            string info = $"view {m + 1}: common vs shared latents {string.Join(" ", common.Select(r => r.ToString("F3")))}, " +
                          $"individual vs own latents {string.Join(" ", individual.Select(r => r.ToString("F3")))}, " +
                          $"individual vs shared {leakShared:F3}, vs other views' latents {leakOther:F3}";
            Console.WriteLine(info);
            Assert.True(common.Min() >= 0.939, info);
            Assert.True(individual.Min() >= 0.858, info);
            Assert.True(leakShared <= 0.25, info);
            Assert.True(leakOther <= 0.25, info);
            for (int o = 0; o < 3; o++)
            {
                double r = Correlation(scores[m], own[o].square().sum([1]));
                Console.WriteLine($"  corr(individual{m + 1} score, |z_u{o + 1}|²) = {r:F3}");
                if (o == m) Assert.True(r >= 0.5, info + $"; score vs own latents {r:F3}");
                else Assert.True(Math.Abs(r) <= 0.2, info + $"; score vs view {o + 1}'s latents {r:F3}");
            }
        }
    }

    private static double Correlation(Tensor a, Tensor b)
    {
        var x = a - a.mean();
        var y = b - b.mean();
        return ((x * y).sum() / (x.square().sum() * y.square().sum()).sqrt()).item<double>();
    }

    /// <summary>
    /// Oracle: the multiset alignment's definition (docs/method.md §4.1, Deep alignment) — on the training rows each
    /// view's aligned common variates have mean 0 and mean square 1 (1e-6; MCCA makes different variates uncorrelated
    /// only in the sum over views, not within each view, so whiteness is not required), the model's canonical correlations are
    /// the mean over the 3 pairs of views of corr(c_aᵢ, c_bᵢ) (1e-6), descending; and identity — the model saved and
    /// loaded (through <see cref="ModelStore"/>) gives bit-identical variates for Deep CCA and deep MUCMM, with
    /// alignment.json listing 3 views.
    /// </summary>
    [Theory]
    [InlineData(DeepModelKind.Mucmm)]
    [InlineData(DeepModelKind.DeepCca)]
    public void Three_view_alignment_is_multiset_cca_and_survives_save_and_load(DeepModelKind kind)
    {
        using var scope = NewDisposeScope();
        var data = Data(seed: 2);
        using var model = new DeepTrainer(Mlp with { Kind = kind }, Training with { Epochs = 3 }).Fit(data);
        var train = data.Subset(Split.Train);
        var z = model.Transform(train.Views);
        long n = train.Count;
        var mean = new double[2];
        for (int m = 0; m < 3; m++)
        {
            var c = z.Common[m];
            Assert.True(c.mean([0]).abs().max().item<double>() < 1e-6);
            Assert.True(((c.square().sum([0]) / n) - 1).abs().max().item<double>() < 1e-6, $"view {m + 1}: common variates must have unit mean square");
        }
        for (int a = 0; a < 3; a++)
            for (int b = a + 1; b < 3; b++)
                for (int i = 0; i < 2; i++) mean[i] += (z.Common[a][.., i] * z.Common[b][.., i]).mean().item<double>() / 3;
        for (int i = 0; i < 2; i++) Assert.Equal(mean[i], model.CanonicalCorrelations[i], 1e-6);
        Assert.True(model.CanonicalCorrelations[0] >= model.CanonicalCorrelations[1]);
        Assert.Equal(kind == DeepModelKind.Mucmm ? [2, 2, 2] : new[] { 0, 0, 0 }, model.IndividualDims);

        string dir = TestPaths.NewTempDir();
        model.Save(dir);
        using var loaded = (DeepMultiviewModel)ModelStore.Load(dir);
        Assert.Equal(3, loaded.ViewCount);
        var x = data.Views;
        var before = model.Transform(x);
        var after = loaded.Transform(x);
        for (int m = 0; m < 3; m++)
        {
            Assert.True(before.Common[m].shape.SequenceEqual(after.Common[m].shape) && before.Common[m].eq(after.Common[m]).all().item<bool>(), $"view {m + 1}: common variates differ after load");
            Assert.True(before.Individual[m].shape.SequenceEqual(after.Individual[m].shape) && before.Individual[m].eq(after.Individual[m]).all().item<bool>(), $"view {m + 1}: individual variates differ after load");
        }
    }

    /// <summary>
    /// Oracle: the objective's definition (docs/method.md, deep objective for M ≥ 2) — the trainer logs every term of
    /// the objective over all pairs: with three views train.csv carries correlation, leak_other, leak_own and
    /// reconstruction for every epoch, and pretraining logs reconstruction1..3.
    /// </summary>
    [Fact]
    public void Three_view_training_logs_every_term_and_pretrains_every_encoder()
    {
        using var scope = NewDisposeScope();
        var data = Data(seed: 3);
        string dir = TestPaths.NewTempDir();
        using var model = new DeepTrainer(Mlp, Training with { Epochs = 2, PretrainEpochs = 1 }).Fit(data, dir);
        var rows = TrainingLog.Read(Path.Combine(dir, TrainingLog.FileName)).Rows;
        var pretrain = rows.Single(r => r.Phase == "pretrain");
        foreach (var name in new[] { "reconstruction1", "reconstruction2", "reconstruction3" })
            Assert.True(double.IsFinite(pretrain.Values[name]), name);
        foreach (var r in rows.Where(r => r.Phase == "train"))
            foreach (var name in new[] { TermNames.Correlation, TermNames.LeakOther, TermNames.LeakOwn, TermNames.Reconstruction, "loss" })
                Assert.True(double.IsFinite(r.Values[name]), $"epoch {r.Epoch}: {name}");
        Assert.Equal(2, rows.Count(r => r.Phase == "train"));
    }
}
