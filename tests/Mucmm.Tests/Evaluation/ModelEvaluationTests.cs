using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Data.Datasets;
using Mucmm.Evaluation;
using Mucmm.Linear;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Evaluation;

public class ModelEvaluationTests
{
    private static PairedDataset Synthetic(int n = 3000, int seed = 5) =>
        DatasetCatalog.Load("synthetic", new DatasetOptions { Seed = seed, Samples = n });

    /// <summary>
    /// Oracle: for an aligned model the test correlations equal the plain Pearson correlations
    /// corr(c₁ᵢ, c₂ᵢ) of the model's own variates on the test rows (closed form, computed here
    /// directly), up to the effect of the CCA ridge 1e-3 on 3 already-aligned dims (tolerance 2e-3);
    /// leakage equals <see cref="Leakage.MeanSquaredCanonicalCorrelation"/> on the test variates (1e-12).
    /// </summary>
    [Fact]
    public void Test_correlations_and_leakage_match_direct_computation()
    {
        var data = Synthetic();
        var model = LinearMucmm.Fit(data.Subset(Split.Train).Views, new LinearOptions { CommonDim = 3, IndividualDim = 3 });
        var result = ModelEvaluation.Evaluate(model, data);

        var test = data.Subset(Split.Test);
        var z = model.Transform(test.Views);
        for (int i = 0; i < 3; i++)
        {
            var a = z.Common[0][.., i];
            var b = z.Common[1][.., i];
            double r = corrcoef(stack([a, b])).data<double>()[1];
            Assert.InRange(result.TestCorrelations[i], r - 2e-3, r + 2e-3);
        }
        Assert.Equal(result.TestCorrelations.Sum(), result.TotalCorrelation, 12);
        var own = result.Leakage.Single(l => l.Key == "individual1_vs_common1");
        Assert.Equal(Leakage.MeanSquaredCanonicalCorrelation(z.Individual[0], z.Common[0]), own.Value, 12);
        Assert.Equal(new SplitSizes(2400, 300, 300), result.Split);
    }

    /// <summary>
    /// Synthetic ground truth: the common factors are predicted from common variates (R² ≥ 0.8) and
    /// not from view-1 individual variates (R² ≤ 0.1); view-1 individual factors the other way round;
    /// held-out leakage of the individual variates stays within 0.02 of its chance level.
    /// </summary>
    [Fact]
    public void Probes_and_leakage_separate_common_and_individual_factors_on_synthetic_data()
    {
        var data = Synthetic();
        var model = LinearMucmm.Fit(data.Subset(Split.Train).Views, new LinearOptions { CommonDim = 3, IndividualDim = 3 });
        var result = ModelEvaluation.Evaluate(model, data);
        var common1 = result.Probes.Single(p => p.Target == "common1");
        var ind1 = result.Probes.Single(p => p.Target == "individual1_1");
        Assert.Equal("r2", common1.Metric);
        Assert.True(common1.Common >= 0.8, $"common1 from common: {common1.Common}");
        Assert.True(common1.Individual[0] <= 0.1, $"common1 from individual1: {common1.Individual[0]}");
        Assert.True(ind1.Individual[0] >= 0.8, $"individual1_1 from individual1: {ind1.Individual[0]}");
        Assert.True(ind1.Common <= 0.1, $"individual1_1 from common: {ind1.Common}");
        foreach (var l in result.Leakage)
            Assert.True(l.Value <= l.Chance + 0.02, $"{l.Key} = {l.Value}, chance {l.Chance}");
    }

    /// <summary>Contract of issue 6: metrics.json has exactly these keys; a view without individual part writes null; the file reads back.</summary>
    [Fact]
    public void Metrics_json_has_the_issue_structure_and_round_trips()
    {
        var data = NoisyMnistDataset.Create(0).Select(Enumerable.Range(0, 1500).ToArray());
        var model = LinearMucmm.Fit(data.Subset(Split.Train).Views, new LinearOptions { Kind = LinearModelKind.Cca, CommonDim = 4, IndividualDim = 0 });
        var result = ModelEvaluation.Evaluate(model, data, new EvaluationOptions { OtherViewComponents = 20 });
        var json = result.ToJson();
        Assert.Equal(["train", "validation", "test"], json["split"]!.AsObject().Select(kv => kv.Key));
        var test = json["test"]!.AsObject();
        Assert.Equal(4, test["canonical_correlations"]!.AsArray().Count);
        Assert.Equal(["individual1_vs_view2", "individual2_vs_view1", "individual1_vs_common1", "individual2_vs_common2"],
            test["leakage"]!.AsObject().Select(kv => kv.Key));
        Assert.Null(test["leakage"]!["individual1_vs_view2"]);
        var digit = json["probes"]!["digit"]!.AsObject();
        Assert.Equal("accuracy", digit["metric"]!.GetValue<string>());
        Assert.Null(digit["individual1"]);
        Assert.InRange(digit["common"]!.GetValue<double>(), 0.15, 1.0); // above the 10-class chance level
        Assert.Equal("r2", json["probes"]!["rotation"]!["metric"]!.GetValue<string>());
        Assert.False(json["probes"]!.AsObject().ContainsKey("partner"));

        string path = Path.Combine(TestPaths.NewTempDir(), "metrics.json");
        result.Write(path);
        var back = EvaluationResult.Read(path);
        Assert.Equal(result.TestCorrelations, back.TestCorrelations);
        Assert.Equal(result.Probes.Select(p => p.Common), back.Probes.Select(p => p.Common));
        Assert.Equal(result.Split, back.Split);
    }

    [Fact]
    public void Data_that_does_not_fit_the_model_is_a_user_error()
    {
        var data = Synthetic(600);
        var model = LinearMucmm.Fit(data.Subset(Split.Train).Views, new LinearOptions { CommonDim = 2, IndividualDim = 2 });
        var other = NoisyMnistDataset.Create(0).Select(Enumerable.Range(0, 300).ToArray());
        var e = Assert.Throws<MucmmUserException>(() => ModelEvaluation.Evaluate(model, other));
        Assert.Contains("expects 30", e.Message);
        var noTest = data.Subset(Split.Train);
        Assert.Throws<MucmmUserException>(() => ModelEvaluation.Evaluate(model, noTest));
    }
}
