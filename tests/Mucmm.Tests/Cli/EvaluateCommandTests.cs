using System.Text.Json.Nodes;
using Xunit;

namespace Mucmm.Tests.Cli;

public class EvaluateCommandTests
{
    /// <summary>
    /// Oracle: synthetic ground truth. On <c>synthetic</c> (seed 4, linear model k = 3, r = 2) the common
    /// latents are linear functions of the common variates and independent of the individual ones, and
    /// vice versa: the ridge probe must give R² &gt; 0.95 from the matching representation and &lt; 0.05 from
    /// the others; leakage stays within 3× its chance level; metrics.json has the contract's fields.
    /// (Measured: R² 0.998–0.999 and 0.992–0.995 vs |R²| ≤ 0.004; leakage 0.0025–0.029 vs chance 0.003–0.03.)
    /// </summary>
    [Fact]
    public void EvaluateRecoversTheSyntheticGroundTruth()
    {
        string root = TestPaths.NewTempDir();
        string fit = Path.Combine(root, "fit"), eval = Path.Combine(root, "eval");
        var r = CliHarness.Run("fit", "--model", "linear", "--dataset", "synthetic", "--common-dim", "3", "--individual-dim", "2", "--seed", "4", "--out", fit);
        Assert.True(r.ExitCode == 0, r.Stderr);
        r = CliHarness.Run("evaluate", "--model", fit, "--dataset", "synthetic", "--seed", "4", "--out", eval);
        Assert.True(r.ExitCode == 0, r.Stderr);

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(eval, "metrics.json")))!;
        int nTest = json["split"]!["test"]!.GetValue<int>();
        Assert.True(nTest > 0 && json["split"]!["train"]!.GetValue<int>() > nTest);
        var rho = json["test"]!["canonical_correlations"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
        Assert.Equal(3, rho.Length);
        Assert.Equal(rho.Sum(), json["test"]!["total_correlation"]!.GetValue<double>(), 12);
        var leakage = json["test"]!["leakage"]!;
        foreach (var key in new[] { "individual1_vs_view2", "individual2_vs_view1", "individual1_vs_common1", "individual2_vs_common2" })
        {
            double v = leakage[key]!.GetValue<double>(), chance = json["test"]!["leakage_chance"]![key]!.GetValue<double>();
            Assert.InRange(v, 0, 3 * chance);
        }
        var probes = json["probes"]!;
        foreach (var (factor, rep) in new[] { ("common1", "common"), ("common3", "common"), ("individual1_1", "individual1"), ("individual2_2", "individual2") })
        {
            Assert.Equal("r2", probes[factor]!["metric"]!.GetValue<string>());
            foreach (var other in new[] { "common", "individual1", "individual2" })
            {
                double r2 = probes[factor]![other]!.GetValue<double>();
                if (other == rep) Assert.True(r2 > 0.95, $"{factor} from {other}: R² {r2}");
                else Assert.True(Math.Abs(r2) < 0.05, $"{factor} from {other}: R² {r2}");
            }
        }
    }

    [Fact]
    public void EvaluateBadInputsAreUserErrors()
    {
        string root = TestPaths.NewTempDir();
        var r = CliHarness.Run("evaluate", "--model", Path.Combine(root, "nothing"), "--dataset", "synthetic", "--out", Path.Combine(root, "e"));
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.ErrorLines);
        r = CliHarness.Run("evaluate", "--dataset", "synthetic", "--out", Path.Combine(root, "e"));
        Assert.Equal(2, r.ExitCode);   // --model is required
        string existing = Path.Combine(root, "exists");
        Directory.CreateDirectory(existing);
        r = CliHarness.Run("evaluate", "--model", Path.Combine(root, "nothing"), "--dataset", "synthetic", "--out", existing);
        Assert.Equal(2, r.ExitCode);
    }
}
