using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Deep;
using Mucmm.Deep.Objectives;
using Mucmm.Evaluation;
using Mucmm.Linear;
using Mucmm.Report;
using Mucmm.Tests.Cli;
using Mucmm.Tests.Reliability;
using Xunit;

namespace Mucmm.Tests.Report;

/// <summary>
/// The fit into a run folder as a library call (<see cref="FitRun"/>), the run folder's writers and readers
/// (<see cref="RunFolder"/>), and the deep defaults per model kind (issue 12, item 2).
/// </summary>
public sealed class FitRunTests
{
    /// <summary>
    /// <c>mucmm fit</c> is arguments → option records → <see cref="FitRun.Fit"/>: the library call with the same records
    /// writes the same run. Oracle: the CLI's own output — the same files in model/ and fit.json, every string and
    /// structure equal, every number and every sample's scores (the weights) equal to 1e-9 relative (the two fits run in one process whose BLAS thread count
    /// earlier tests may change, which moves the last bits of the sums), except the wall time (<c>fit_seconds</c>).
    /// </summary>
    [Fact]
    public void FitRunWritesTheRunTheCliWrites()
    {
        string root = TestPaths.NewTempDir(), cli = Path.Combine(root, "cli"), lib = Path.Combine(root, "lib");
        CliHarness.Run("fit", "--model", "linear", "--dataset", "synthetic", "--samples", "400", "--common-dim", "2",
            "--individual-dim", "2", "--seed", "3", "--out", cli).AssertOk();

        var source = DataSource.ForDataset("synthetic", 3, 400);
        var data = source.Load();
        Directory.CreateDirectory(lib);
        var run = FitRun.Fit(new FitRequest
        {
            Options = new FitOptions(Linear: new LinearOptions { CommonDim = 2, IndividualDim = 2, Seed = 3 }),
            Data = data,
            Source = source,
            DataName = "synthetic",
        }, lib);

        Assert.Equal("linear", run.ModelKind);
        Assert.Equal(Directory.GetFiles(Path.Combine(cli, "model")).Select(Path.GetFileName).Order(),
            Directory.GetFiles(Path.Combine(lib, "model")).Select(Path.GetFileName).Order());
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(cli, "model", "config.json")));
        AssertClose(config, JsonNode.Parse(File.ReadAllText(Path.Combine(lib, "model", "config.json"))), "config");
        // The weights: both models give the same scores on every row.
        var cliScores = Mucmm.Explain.Scores.Compute(ModelStore.Load(Path.Combine(cli, "model")), data.Views, Mucmm.Explain.Score.Standard(2));
        var libScores = Mucmm.Explain.Scores.Compute(run.LoadModel(), data.Views, Mucmm.Explain.Score.Standard(2));
        for (int s = 0; s < cliScores.Length; s++)
            for (int i = 0; i < data.Count; i++)
                Assert.True(Math.Abs(cliScores[s][i] - libScores[s][i]) <= 1e-9 * Math.Max(1, Math.Abs(cliScores[s][i])), $"score {s}, row {i}");
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(cli, "fit.json")))!.AsObject();
        var actual = JsonNode.Parse(File.ReadAllText(Path.Combine(lib, "fit.json")))!.AsObject();
        expected.Remove("fit_seconds");
        actual.Remove("fit_seconds");
        AssertClose(expected, actual, "fit");
        Assert.Null(run.ReadTrainingLog());   // a closed-form fit has no training log
    }

    private static void AssertClose(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected)
        {
            case JsonObject o:
                var other = Assert.IsType<JsonObject>(actual);
                Assert.Equal(o.Select(p => p.Key).Order(), other.Select(p => p.Key).Order());
                foreach (var (key, value) in o) AssertClose(value, other[key], $"{path}.{key}");
                break;
            case JsonArray a:
                var list = Assert.IsType<JsonArray>(actual);
                Assert.Equal(a.Count, list.Count);
                for (int i = 0; i < a.Count; i++) AssertClose(a[i], list[i], $"{path}[{i}]");
                break;
            case JsonValue v when v.TryGetValue<double>(out double x) && v.GetValueKind() == System.Text.Json.JsonValueKind.Number:
                double y = actual!.GetValue<double>();
                Assert.True(Math.Abs(x - y) <= 1e-9 * Math.Max(1, Math.Abs(x)), $"{path}: {x} vs {y}");
                break;
            default:
                Assert.True(JsonNode.DeepEquals(expected, actual), $"{path}: {expected} vs {actual}");
                break;
        }
    }

    /// <summary>
    /// Each file of a run has one writer and one reader on <see cref="RunFolder"/>: commands.txt and metrics.json written
    /// and read back equal (oracle: the values written), a run without them reads null / empty.
    /// </summary>
    [Fact]
    public void RunFolderWritesAndReadsItsFiles()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "run");
        Directory.CreateDirectory(dir);
        var data = DataSource.ForDataset("synthetic", 1, 400).Load();
        var run = FitRun.Fit(new FitRequest { Options = new FitOptions(Linear: new LinearOptions { CommonDim = 2, IndividualDim = 1, Seed = 1 }), Data = data }, dir);
        Assert.Empty(run.Commands);
        Assert.Null(run.ReadMetrics());

        run.WriteCommands(["mucmm fit --model linear", "mucmm report --run x"]);
        Assert.Equal(["mucmm fit --model linear", "mucmm report --run x"], run.Commands);

        var model = run.LoadModel();
        var metrics = ModelEvaluation.Evaluate(model, data) with { Data = run.Fingerprint, ModelSha256 = run.ModelSha256() };
        run.WriteMetrics(metrics);
        var read = run.ReadMetrics()!;
        Assert.Equal(metrics.TestCorrelations, read.TestCorrelations);
        Assert.Equal(metrics.ModelSha256, read.ModelSha256);
        Assert.Equal(metrics.ToJson().ToJsonString(), read.ToJson().ToJsonString());
    }

    /// <summary>
    /// The deep defaults per kind live in one place: Deep CCA gets the R1 measure (as in Andrew et al. 2013, and as
    /// <c>fit --model dcca</c>, <c>compare</c> and <c>demo</c> use it), deep MUCMM R2; everything else is the records'
    /// defaults. Oracle: the records' initializers.
    /// </summary>
    [Fact]
    public void DeepDefaultsPerKind()
    {
        Assert.Equal(CorrelationMeasure.R1, DeepTrainingOptions.DefaultsFor(DeepModelKind.DeepCca).Objective.Measure);
        Assert.Equal(CorrelationMeasure.R2, DeepTrainingOptions.DefaultsFor(DeepModelKind.Mucmm).Objective.Measure);
        Assert.Equal(new DeepTrainingOptions(), DeepTrainingOptions.DefaultsFor(DeepModelKind.Mucmm));
        Assert.Equal(new DeepTrainingOptions().Epochs, DeepTrainingOptions.DefaultsFor(DeepModelKind.DeepCca).Epochs);
        Assert.Equal(DeepModelKind.DeepCca, DeepModelOptions.DefaultsFor(DeepModelKind.DeepCca).Kind);
        Assert.Equal(new DeepModelOptions().CommonDim, DeepModelOptions.DefaultsFor(DeepModelKind.DeepCca).CommonDim);
    }
}
