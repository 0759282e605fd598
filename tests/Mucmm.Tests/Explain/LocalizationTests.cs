using Mucmm.Explain;
using Mucmm.Tests.Linear;
using Mucmm.Linear;
using Xunit;

namespace Mucmm.Tests.Explain;

public class LocalizationTests
{
    // A 2 × 4 "image" whose left half (columns 0–1) is the region.
    private static readonly bool[] Left = [true, true, false, false, true, true, false, false];

    /// <summary>
    /// Oracle: closed forms on hand-made maps. Map a = [1, −3, 0, 2; 0, 0, −4, 0]: |a| inside the left
    /// half 1 + 3 = 4 of 10 → 0.4, max |a| = 4 outside → pointing false. Map b = [0, 5, 1, 0; 0, 0, 0, −1]:
    /// 5/7, max inside → true. All-zero map: NaN, not counted. Average over {a, b, 0}: mass (0.4 + 5/7)/2,
    /// pointing 1/2, 2 maps used (exact to 1e-15).
    /// </summary>
    [Fact]
    public void Mass_fraction_and_pointing_game_on_hand_made_maps()
    {
        double[] a = [1, -3, 0, 2, 0, 0, -4, 0];
        double[] b = [0, 5, 1, 0, 0, 0, 0, -1];
        double[] zero = new double[8];
        Assert.Equal(0.4, Localization.MassFraction(a, Left), 15);
        Assert.False(Localization.PointsInside(a, Left));
        Assert.Equal(5.0 / 7.0, Localization.MassFraction(b, Left), 15);
        Assert.True(Localization.PointsInside(b, Left));
        Assert.True(double.IsNaN(Localization.MassFraction(zero, Left)));
        Assert.False(Localization.PointsInside(zero, Left));

        var (mass, pointing, used) = Localization.Average([a, b, zero], Left);
        Assert.Equal((0.4 + 5.0 / 7.0) / 2, mass, 15);
        Assert.Equal(0.5, pointing, 15);
        Assert.Equal(2, used);
        Assert.Throws<MucmmUserException>(() => Localization.MassFraction(new double[3], Left));
    }

    /// <summary>Oracle: the convention — common maps belong in "shared" (every view for the common score, view v for common{v}:i), individual{m} maps in view m's "own".</summary>
    [Fact]
    public void Expected_regions_follow_the_score()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var data = SyntheticLinear.Generate(300, seed: 2);
        var model = LinearMucmm.Fit([data.X1, data.X2], new LinearOptions { CommonDim = 2, IndividualDim = 2 });
        Assert.Equal("shared", Localization.ExpectedRegion(Score.Common, 2));
        Assert.Equal("shared", Localization.ExpectedRegion(Score.Parse("common:1", model), 1));
        Assert.Equal("shared", Localization.ExpectedRegion(Score.Parse("common1:2", model), 1));
        Assert.Null(Localization.ExpectedRegion(Score.Parse("common1:2", model), 2));
        Assert.Equal("own", Localization.ExpectedRegion(Score.Individual(1), 1));
        Assert.Null(Localization.ExpectedRegion(Score.Individual(1), 2));
        Assert.Equal("own", Localization.ExpectedRegion(Score.Parse("individual2:1", model), 2));
    }
}

public class ExplainLocalizationTests
{
    /// <summary>
    /// Oracle: <see cref="Localization.Average"/> of the maps <see cref="Explainer.Run"/> returns (same
    /// samples, same method), to 1e-12; localization.json lists every method of
    /// <see cref="Explainer.LocalizationMethods"/>. Without regions, localization is a user error.
    /// </summary>
    [Fact]
    public void Explainer_writes_localization_of_every_method()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var data = SyntheticLinear.Generate(400, seed: 3);
        var model = LinearMucmm.Fit([data.X1, data.X2], new LinearOptions { CommonDim = 2, IndividualDim = 2 });
        var paired = new Mucmm.Data.PairedDataset("syn", [data.X1, data.X2], Enumerable.Repeat(Mucmm.Data.Split.Train, 400).ToArray());
        var shared = Enumerable.Range(0, SyntheticLinear.D1).Select(j => j < 15).ToArray();
        var regions = new IReadOnlyDictionary<string, bool[]>[]
        {
            new Dictionary<string, bool[]> { ["shared"] = shared, ["own"] = shared.Select(b => !b).ToArray() },
            new Dictionary<string, bool[]>(),
        };
        string dir = Directory.CreateTempSubdirectory("mucmm-loc-").FullName;
        try
        {
            var options = new ExplainOptions
            {
                SampleCount = 5,
                Attribution = new AttributionOptions { Method = AttributionMethod.Pattern, IntegratedGradientsSteps = 8, SmoothGradSamples = 4 },
                Regions = regions,
                Localization = true,
            };
            var result = Explainer.Run(model, paired, paired, options, dir);
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "localization.json")))!;
            Assert.Equal("pattern", (string)json["method"]!);
            foreach (var (label, _, _) in Explainer.LocalizationMethods) Assert.NotNull(json["methods"]![label]);
            var pattern = result.Localization!["pattern"];
            Assert.Equal(["common", "individual1"], pattern.Select(l => l.Score));
            var common = result.Maps.Single(r => r.Score.Name == "common");
            var (mass, pointing, used) = Localization.Average(Enumerable.Range(0, 5).Select(i => common.Map(0, i).ToArray()).ToArray(), shared);
            Assert.Equal(mass, pattern[0].MassFraction, 12);
            Assert.Equal(pointing, pattern[0].PointingGame, 12);
            Assert.Equal(used, pattern[0].Samples);
            Assert.Equal(0.5, pattern[0].RegionFraction, 15);

            Assert.Throws<MucmmUserException>(() => Explainer.Run(model, paired, paired, options with { Regions = null }, dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
