using Mucmm.Evaluation;
using Mucmm.Explain;
using Mucmm.Linear;
using Mucmm.Tests.Linear;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Explain;

public class OcclusionTests
{
    private static double[] Flat(Tensor t) => t.contiguous().data<double>().ToArray();

    /// <summary>
    /// Oracle: the closed form of a linear MUCMM model (METHOD.md section 4, <see cref="LinearScores"/>).
    /// Occluding the single input j of view 1 with the baseline b moves x₁ by −δ e_j, δ = x₁ⱼ − bⱼ.
    /// The common score c₁·c₂ is linear in x₁, so the change is exactly δ (A₁c₂)ⱼ; the individual score
    /// (1/r)|u|² with u = (x₁ − x̄₁)L changes by (1/r)(2δ u·lⱼ − δ²|lⱼ|²) = δ gⱼ − δ²|lⱼ|²/r with
    /// g = (2/r)Lu (lⱼ = row j of L); view 2 likewise. Patch 1, stride 1, zero and mean baselines;
    /// agreement to 1e-10 absolute (float64 differences of scores of size O(10)); the individual score
    /// of view 1 has an all-zero view-2 map.
    /// </summary>
    [Fact]
    public void Single_input_occlusion_of_a_linear_model_equals_the_closed_form()
    {
        using var scope = NewDisposeScope();
        var data = SyntheticLinear.Generate(1500, seed: 7);
        var model = LinearMucmm.Fit([data.X1, data.X2], new LinearOptions { CommonDim = 3, IndividualDim = 2 });
        var rows = Enumerable.Range(0, 10).ToArray();
        var x = new[] { Representations.Rows(data.X1, rows), Representations.Rows(data.X2, rows) };
        var options = new AttributionOptions { Method = AttributionMethod.Occlusion, OcclusionPatch = 1, OcclusionStride = 1, BatchSize = 4 };
        var means = new[] { data.X1, data.X2 }.Select(v => Representations.Slice(v, 0, v.Rows).mean([0], keepdim: true)).ToArray();

        foreach (var baseline in new[] { null, means })
        {
            var b = baseline ?? x.Select(t => zeros(1, t.shape[1], dtype: float64)).ToArray();
            var delta = x.Select((t, m) => t - b[m]).ToArray();

            var common = Attributions.Compute(model, Score.Common, x, options, baseline);
            var (g1, g2) = LinearScores.CommonGradients(model, x[0], x[1]);
            var expected = new[] { delta[0] * g1, delta[1] * g2 };
            for (int m = 0; m < 2; m++)
                Assert.True(Flat(expected[m]).Zip(common.Maps[m], (e, a) => Math.Abs(e - a)).Max() < 1e-10, $"common, view {m + 1}");

            for (int m = 0; m < 2; m++)
            {
                var ind = Attributions.Compute(model, Score.Individual(m + 1), x, options, baseline);
                var g = LinearScores.IndividualGradient(model, m, x[m]);
                var l = model.IndividualLoadings(m);
                var lNorm2 = l.square().sum([1]).unsqueeze(0);
                var closed = delta[m] * g - delta[m].square() * lNorm2 / model.IndividualDims[m];
                Assert.True(Flat(closed).Zip(ind.Maps[m], (e, a) => Math.Abs(e - a)).Max() < 1e-10, $"individual{m + 1}");
                Assert.All(ind.Maps[1 - m], v => Assert.Equal(0.0, v));
            }
        }
    }

    /// <summary>
    /// Oracle: hand-derived patch geometry. View 1 (30 inputs) is read as a 5 × 6 image; patch 3, stride 2
    /// gives row starts {0, 2} and column starts {0, 2, 3} (the last patch moved back to end at the
    /// border). For the single common variate c₁,₁ = (x₁ − x̄₁)·a (linear), occluding a patch P changes
    /// it by Σ_{j∈P} δⱼaⱼ, so the attribution of input j is the mean of those sums over the patches
    /// that contain j. Computed here by loops over the hand-listed starts; agreement 1e-12. The same
    /// view read as a vector (no shape) with patch 4, stride 3 has windows starting at 0, 3, …, 24, 26.
    /// </summary>
    [Fact]
    public void Patches_cover_the_image_and_attributions_average_over_the_patches_containing_an_input()
    {
        using var scope = NewDisposeScope();
        var data = SyntheticLinear.Generate(600, seed: 11);
        var model = LinearMucmm.Fit([data.X1, data.X2], new LinearOptions { CommonDim = 2, IndividualDim = 2 });
        var x = new[] { Representations.Rows(data.X1, [0, 1, 2]), Representations.Rows(data.X2, [0, 1, 2]) };
        var a = Flat(LinearScores.CommonVariateGradient(model, 0, 0));
        var xs = Flat(x[0]);
        var score = Score.Parse("common1:1", model);

        double[] Expected(List<int[]> patches)
        {
            var result = new double[3 * 30];
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 30; j++)
                {
                    var containing = patches.Where(p => p.Contains(j)).ToArray();
                    Assert.NotEmpty(containing);
                    result[i * 30 + j] = containing.Average(p => p.Sum(q => xs[i * 30 + q] * a[q]));
                }
            return result;
        }

        var squares = new List<int[]>();
        foreach (int r0 in new[] { 0, 2 })
            foreach (int c0 in new[] { 0, 2, 3 })
                squares.Add([.. from r in Enumerable.Range(r0, 3) from c in Enumerable.Range(c0, 3) select r * 6 + c]);
        var image = Attributions.Compute(model, score, x, new AttributionOptions
        {
            Method = AttributionMethod.Occlusion, OcclusionPatch = 3, OcclusionStride = 2, SampleShapes = [[5, 6], [25]],
        });
        Assert.True(Expected(squares).Zip(image.Maps[0], (e, v) => Math.Abs(e - v)).Max() < 1e-12);
        Assert.All(image.Maps[1], v => Assert.Equal(0.0, v));

        var windows = new[] { 0, 3, 6, 9, 12, 15, 18, 21, 24, 26 }.Select(s => Enumerable.Range(s, 4).ToArray()).ToList();
        var vector = Attributions.Compute(model, score, x, new AttributionOptions
        {
            Method = AttributionMethod.Occlusion, OcclusionPatch = 4, OcclusionStride = 3,
        });
        Assert.True(Expected(windows).Zip(vector.Maps[0], (e, v) => Math.Abs(e - v)).Max() < 1e-12);
    }

    /// <summary>Oracle: the documented ranges — a stride above the patch (inputs left uncovered) or a patch of 0 is a user error; "occlusion" parses.</summary>
    [Fact]
    public void Occlusion_options_are_validated_and_named()
    {
        Assert.Throws<MucmmUserException>(() => new AttributionOptions { OcclusionPatch = 2, OcclusionStride = 3 }.Validate());
        Assert.Throws<MucmmUserException>(() => new AttributionOptions { OcclusionPatch = 0, OcclusionStride = 1 }.Validate());
        Assert.Equal(AttributionMethod.Occlusion, AttributionOptions.ParseMethod("occlusion"));
        Assert.Equal("occlusion", AttributionOptions.MethodName(AttributionMethod.Occlusion));
    }
}
