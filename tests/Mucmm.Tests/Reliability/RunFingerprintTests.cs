using System.Globalization;
using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Data.Datasets;
using Mucmm.Data.Readers;
using Mucmm.Deep;
using Mucmm.Evaluation;
using Mucmm.Linear;
using Mucmm.Report;
using Mucmm.Tests.Cli;
using Xunit;

namespace Mucmm.Tests.Reliability;

/// <summary>
/// Issue 11, section 2 — one run folder, one dataset, one split (docs/reliability.md §2): fit.json records every
/// option and a fingerprint of the data; every command that takes a run rebuilds exactly that data and split and
/// refuses (exit 2, one line naming the difference) data that do not match; options a model kind does not use are
/// refused.
/// </summary>
public class RunFingerprintTests
{
    private static string Fit(string root, string name, params string[] extra)
    {
        string run = Path.Combine(root, name);
        var r = CliHarness.Run(["fit", "--model", "linear", "--dataset", "synthetic", "--samples", "600", "--common-dim", "2", "--individual-dim", "2", .. extra, "--out", run]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return run;
    }

    private static void AssertRefused(CliResult r, params string[] needles)
    {
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.ErrorLines);
        foreach (string n in needles) Assert.Contains(n, r.Stderr);
    }

    /// <summary>
    /// The reproduction: <c>fit --samples 600</c> then <c>evaluate</c> without data evaluated 10,000 rebuilt rows.
    /// Oracle: the split of the 600-row synthetic dataset (<see cref="DatasetCatalog"/>, seed 0): metrics.json's split
    /// sizes must be its 480/60/60. A 10,000-row rebuild (<c>--samples 10000</c>) is refused naming both counts,
    /// and no output folder is left.
    /// </summary>
    [Fact]
    public void Evaluate_rebuilds_the_recorded_samples_and_refuses_other_data()
    {
        string root = TestPaths.NewTempDir();
        string run = Fit(root, "r");
        var r = CliHarness.Run("evaluate", "--model", run, "--out", Path.Combine(root, "e"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var data = DatasetCatalog.Load("synthetic", new DatasetOptions { Samples = 600 });
        var split = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "e", "metrics.json")))!["split"]!;
        Assert.Equal(data.RowsOf(Split.Train).Length, split["train"]!.GetValue<int>());
        Assert.Equal(data.RowsOf(Split.Test).Length, split["test"]!.GetValue<int>());
        Assert.Equal(600, split["train"]!.GetValue<int>() + split["validation"]!.GetValue<int>() + split["test"]!.GetValue<int>());

        r = CliHarness.Run("evaluate", "--model", run, "--samples", "10000", "--out", Path.Combine(root, "e2"));
        AssertRefused(r, run, "data has 10000 rows, the model was fitted on 600");
        Assert.False(Directory.Exists(Path.Combine(root, "e2")));
        // Naming the run's dataset without --samples keeps the recorded 600.
        r = CliHarness.Run("evaluate", "--model", Path.Combine(run, "model"), "--dataset", "synthetic", "--out", Path.Combine(root, "e3"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Stderr);
    }

    /// <summary>
    /// An edited fit.json is refused: the top-level seed alone (it no longer matches the recorded data source), and
    /// the seed of both (the rebuilt data — another seed, hence other values and another split — no longer match
    /// the fingerprint).
    /// </summary>
    [Fact]
    public void Edited_seed_in_fit_json_is_refused()
    {
        string root = TestPaths.NewTempDir();
        string run = Fit(root, "r");
        string fitJson = Path.Combine(run, "fit.json");
        string original = File.ReadAllText(fitJson);
        var fit = JsonNode.Parse(original)!;
        fit["seed"] = 1;
        File.WriteAllText(fitJson, fit.ToJsonString());
        AssertRefused(CliHarness.Run("evaluate", "--model", run, "--out", Path.Combine(root, "e1")), "fit.json", "edited");
        fit["source"]!["seed"] = 1;
        File.WriteAllText(fitJson, fit.ToJsonString());
        AssertRefused(CliHarness.Run("evaluate", "--model", run, "--out", Path.Combine(root, "e2")), run, "differ from those the model was fitted on");
        AssertRefused(CliHarness.Run("transform", "--model", run, "--split", "test", "--out", Path.Combine(root, "t")), "differ");
        File.WriteAllText(fitJson, original);
        Assert.Equal(0, CliHarness.Run("evaluate", "--model", run, "--out", Path.Combine(root, "e3"), "--quiet").ExitCode);
    }

    /// <summary>
    /// metrics.json records the model (SHA-256 of model/) and the data (fingerprint) it was computed for. One copied
    /// from another run on the same data (another model) is refused by the report, naming metrics.json; a
    /// metrics.json without that record is refused in a run that has a fingerprint. The check accepts the run's
    /// own evaluation (library call <see cref="RunReport.CheckMetrics"/> on the evaluate output).
    /// </summary>
    [Fact]
    public void Metrics_json_of_another_run_is_refused_by_the_report()
    {
        string root = TestPaths.NewTempDir();
        string a = Fit(root, "a"), b = Fit(root, "b", "--ridge", "0.01");
        Assert.Equal(0, CliHarness.Run("evaluate", "--model", a, "--out", Path.Combine(root, "ea"), "--quiet").ExitCode);
        Assert.Equal(0, CliHarness.Run("evaluate", "--model", b, "--out", Path.Combine(root, "eb"), "--quiet").ExitCode);

        var runB = RunFolder.Open(b);
        var own = EvaluationResult.Read(Path.Combine(root, "eb", "metrics.json"));
        RunReport.CheckMetrics(runB, own, DataFingerprint.Of(runB.LoadData()), runB.ModelSha256());

        File.Copy(Path.Combine(root, "ea", "metrics.json"), Path.Combine(b, "metrics.json"));
        var r = CliHarness.Run("report", "--run", b, "--quiet");
        AssertRefused(r, "metrics.json", "another model");
        Assert.False(File.Exists(Path.Combine(b, "report.html")));

        File.WriteAllText(Path.Combine(b, "metrics.json"), (own with { Data = null, ModelSha256 = null }).ToJson().ToJsonString());
        AssertRefused(CliHarness.Run("report", "--run", b, "--quiet"), "metrics.json", "no model and data fingerprint");
    }

    /// <summary>
    /// After <c>fit --seed 1</c>, score, transform and explain use seed 1's split by default (they used seed 0).
    /// Oracle: the test rows of the 600-row synthetic dataset built with seed 1 (<see cref="DatasetCatalog"/>):
    /// score's index column, transform's row count and explain's samples must be those rows. Naming the data with
    /// <c>--seed 0</c> and a split is refused; with <c>--split all</c>, score applies the model to new data.
    /// </summary>
    [Fact]
    public void Score_transform_and_explain_use_the_split_of_the_fit()
    {
        string root = TestPaths.NewTempDir();
        string run = Fit(root, "r", "--seed", "1");
        var data = DatasetCatalog.Load("synthetic", new DatasetOptions { Seed = 1, Samples = 600 });
        int[] test = data.RowsOf(Split.Test).Select(i => data.Indices[i]).ToArray();

        string csv = Path.Combine(root, "s", "scores.csv");
        var r = CliHarness.Run("score", "--run", run, "--split", "test", "--out", Path.Combine(root, "s"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(test, File.ReadAllLines(csv).Skip(1).Select(l => int.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)));

        r = CliHarness.Run("transform", "--run", run, "--split", "test", "--out", Path.Combine(root, "t"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(test.Length, NpyFile.Read(Path.Combine(root, "t", "common1.npy")).Shape[0]);

        r = CliHarness.Run("explain", "--run", run, "--count", "2", "--out", Path.Combine(root, "x"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var explained = File.ReadAllLines(Path.Combine(root, "x", "samples.csv")).Skip(1)
            .Select(l => int.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(2, explained.Length);
        Assert.All(explained, i => Assert.Contains(i, test));

        AssertRefused(CliHarness.Run("score", "--run", run, "--dataset", "synthetic", "--samples", "600", "--seed", "0", "--split", "test", "--out", Path.Combine(root, "s0")),
            "differ from those the model was fitted on");
        Assert.False(Directory.Exists(Path.Combine(root, "s0")));
        r = CliHarness.Run("score", "--run", run, "--dataset", "synthetic", "--samples", "300", "--out", Path.Combine(root, "new"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(301, File.ReadAllLines(Path.Combine(root, "new", "scores.csv")).Length);

        // explain's --samples is the dataset size as in every command (the count is --count): other data than the run's.
        AssertRefused(CliHarness.Run("explain", "--run", run, "--samples", "300", "--out", Path.Combine(root, "x2"), "--quiet"),
            "data has 300 rows, the model was fitted on 600");
    }

    /// <summary>
    /// Two .npy files are streamed by a linear fit (never loaded whole); the fingerprint taken while streaming must
    /// equal that of the files loaded in memory (oracle: <see cref="DataFingerprint.Of(PairedDataset)"/> of
    /// <see cref="PairedFiles.Load"/>), so <c>evaluate</c> without data rebuilds them from the recorded paths.
    /// A file changed after the fit is refused.
    /// </summary>
    [Fact]
    public void Files_are_rebuilt_from_fit_json_and_a_changed_file_is_refused()
    {
        string root = TestPaths.NewTempDir();
        var (x, y) = Linear.CanonicalCorrelationTests.RandomPair(400, 5, 4, seed: 7);
        string f1 = Path.Combine(root, "a.npy"), f2 = Path.Combine(root, "b.npy"), run = Path.Combine(root, "r");
        NpyFile.Write(f1, x.Data, x.Rows, x.Cols, NpyDType.Float32);
        NpyFile.Write(f2, y.Data, y.Rows, y.Cols, NpyDType.Float64);
        var r = CliHarness.Run("fit", "--view1", f1, "--view2", f2, "--common-dim", "2", "--individual-dim", "1", "--seed", "3", "--out", run);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(DataFingerprint.Of(PairedFiles.Load([f1, f2], 3)), RunFolder.Open(run).Fingerprint, FingerprintComparer.Instance);
        r = CliHarness.Run("evaluate", "--model", run, "--out", Path.Combine(root, "e"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Stderr);

        var changed = y.Data.ToArray();
        changed[17] += 1;
        NpyFile.Write(f2, changed, y.Rows, y.Cols, NpyDType.Float64);
        AssertRefused(CliHarness.Run("evaluate", "--model", run, "--out", Path.Combine(root, "e2")), "differ from those the model was fitted on");
        AssertRefused(CliHarness.Run("evaluate", "--model", run, "--view1", f1, "--view2", f2, "--out", Path.Combine(root, "e3")), "differ");
    }

    /// <summary>
    /// fit.json records the option records whole: a deep fit with non-default weight decay, weight average and
    /// learning-rate schedule records them (and no ridge, which deep fits do not use); and every property of
    /// <see cref="LinearOptions"/>, <see cref="DeepModelOptions"/> and <see cref="DeepTrainingOptions"/>, set to
    /// a non-default value, survives <see cref="FitRecord.Write"/> and <see cref="FitRecord.Read"/> (oracle: the
    /// records' own JSON trees are equal, and each record property appears by name).
    /// </summary>
    [Fact]
    public void Fit_json_records_every_option()
    {
        string root = TestPaths.NewTempDir(), run = Path.Combine(root, "d");
        var r = CliHarness.Run("fit", "--model", "deep", "--dataset", "synthetic", "--samples", "300", "--common-dim", "2", "--individual-dim", "2",
            "--epochs", "1", "--batch-size", "100", "--weight-decay", "0.01", "--weight-average", "0.5", "--lr-schedule", "cosine", "--quiet", "--out", run);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var fit = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "fit.json")))!;
        var training = fit["options"]!["deep_training"]!;
        Assert.Equal(0.01, training["weight_decay"]!.GetValue<double>());
        Assert.Equal(0.5, training["weight_average"]!.GetValue<double>());
        Assert.Equal("cosine", training["schedule"]!.GetValue<string>());
        Assert.Equal(300, fit["source"]!["samples"]!.GetValue<int>());
        Assert.Null(fit["ridge"]);

        var options = new FitOptions(
            new LinearOptions { Kind = LinearModelKind.Cca, CommonDim = 3, IndividualDim = 4, Ridge = 0.5, Threshold = 0.3, Permutations = 7, Seed = 9 },
            new DeepModelOptions
            {
                Kind = DeepModelKind.DeepCca, Encoder = EncoderKind.TorchScript, TorchScriptPaths = ["/x.pt"], TrainEncoder = true, EncoderHidden = [7],
                CnnFeatures = 9, CnnChannels = [3, 5], CommonDim = 4, IndividualDim = 6, Head = HeadKind.Mlp, HeadHidden = 11, DecoderHidden = 13,
                EncoderPerView = [EncoderKind.Identity, EncoderKind.Cnn],
            },
            new DeepTrainingOptions
            {
                Epochs = 3, BatchSize = 17, LearningRate = 0.25, AugmentShift = 2, WeightAverage = 0.75, WeightDecay = 0.125, FeatureNoise = 0.375,
                Schedule = LearningRateSchedule.Cosine, WarmupEpochs = 1, PretrainEpochs = 2, Patience = 4, Seed = 5, Device = "cuda", CheckpointSeconds = 2.5,
                Objective = new Mucmm.Deep.Objectives.MucmmObjectiveOptions(0.5, 0.25, 2, Mucmm.Deep.Objectives.CorrelationMeasure.R1, 0.01, true),
            }) { Encoders = ["resnet18:64", null, "minilm"] };
        string path = Path.Combine(root, "fit.json");
        new FitRecord { Model = "deep", Data = "x", Seed = 2, Options = options, Source = DataSource.ForDataset("synthetic", 2, 50) }.Write(path);
        var read = FitRecord.Read(path);
        Assert.True(JsonNode.DeepEquals(SettingsJson.ToNode(options), SettingsJson.ToNode(read.Options)));
        var written = JsonNode.Parse(File.ReadAllText(path))!["options"]!;
        foreach (var (key, type) in new[] { ("linear", typeof(LinearOptions)), ("deep_model", typeof(DeepModelOptions)), ("deep_training", typeof(DeepTrainingOptions)) })
            foreach (var p in type.GetProperties().Where(p => p.GetMethod!.IsPublic && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract"))
                Assert.True(written[key]![System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)] is not null, $"fit.json options.{key} lacks {p.Name}");
    }

    /// <summary>
    /// A fit.json of format 1 (before this record: no format_version, source, fingerprint or options) still reads,
    /// and its data are rebuilt from the dataset and seed it names (no fingerprint to check); one of a newer format
    /// is refused naming the file.
    /// </summary>
    [Fact]
    public void Older_fit_json_reads_and_newer_is_refused()
    {
        string root = TestPaths.NewTempDir();
        string run = Fit(root, "r");
        string fitJson = Path.Combine(run, "fit.json");
        var fit = JsonNode.Parse(File.ReadAllText(fitJson))!.AsObject();
        foreach (string key in new[] { "format_version", "source", "fingerprint", "options" }) fit.Remove(key);
        File.WriteAllText(fitJson, fit.ToJsonString());
        var r = CliHarness.Run("evaluate", "--model", run, "--samples", "600", "--out", Path.Combine(root, "e"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(2, RunFolder.Open(run).Record.CommonDim);
        Assert.Equal(0.001, RunFolder.Open(run).Record.Results!["ridge"]!.GetValue<double>());
        fit["format_version"] = 99;
        File.WriteAllText(fitJson, fit.ToJsonString());
        AssertRefused(CliHarness.Run("evaluate", "--model", run, "--out", Path.Combine(root, "e2")), "fit.json", "newer");
    }

    /// <summary>
    /// Options a model kind does not use are refused (exit 2, one line naming the option and the kind), before any
    /// output or checkpoint folder is written: --ridge, --split and --permutations for deep models; --alpha and
    /// --individual-dim for Deep CCA; --individual-dim for cca; --device for linear; --cnn-channels, --augment-shift
    /// and --pretrain where the encoders make no use of them; --fine-tune without a TorchScript encoder; --samples
    /// with files and --fsdd with a dataset that needs no recordings.
    /// </summary>
    [Fact]
    public void Options_a_model_kind_does_not_use_are_refused()
    {
        string root = TestPaths.NewTempDir(), o = Path.Combine(root, "o");
        var (x, y) = Linear.CanonicalCorrelationTests.RandomPair(100, 3, 3, seed: 1);
        string f1 = Path.Combine(root, "a.npy"), f2 = Path.Combine(root, "b.npy");
        NpyFile.Write(f1, x.Data, x.Rows, x.Cols, NpyDType.Float64);
        NpyFile.Write(f2, y.Data, y.Rows, y.Cols, NpyDType.Float64);
        string[] syn = ["--dataset", "synthetic", "--samples", "300", "--common-dim", "2", "--quiet", "--out", o];
        var cases = new (string[] Args, string[] Needles)[]
        {
            (["--model", "deep", "--ridge", "0.1", .. syn], ["--ridge", "--model deep"]),
            (["--model", "deep", "--split", "all", .. syn], ["--split", "--model deep"]),
            (["--model", "dcca", "--permutations", "5", .. syn], ["--permutations", "--model dcca"]),
            (["--model", "dcca", "--alpha", "0.5", .. syn], ["--alpha", "--model dcca"]),
            (["--model", "dcca", "--individual-dim", "2", .. syn], ["--individual-dim", "--model dcca"]),
            (["--model", "cca", "--individual-dim", "2", .. syn], ["--individual-dim", "--model cca"]),
            (["--model", "linear", "--device", "cpu", .. syn], ["--device", "--model linear"]),
            (["--model", "deep", "--cnn-channels", "8,16", .. syn], ["--cnn-channels", "mlp"]),
            (["--model", "deep", "--augment-shift", "2", .. syn], ["--augment-shift", "image"]),
            (["--model", "deep", "--encoder", "identity", "--pretrain", "2", .. syn], ["--pretrain"]),
            (["--model", "deep", "--fine-tune", .. syn], ["--fine-tune", "torchscript"]),
            (["--model", "linear", "--view1", f1, "--view2", f2, "--samples", "50", "--out", o], ["--samples", "files"]),
            (["--model", "linear", "--dataset", "synthetic", "--fsdd", root, "--out", o], ["--fsdd", "synthetic"]),
        };
        foreach (var (args, needles) in cases)
        {
            var r = CliHarness.Run(["fit", .. args]);
            Assert.True(r.ExitCode == 2, $"fit {string.Join(" ", args)}: exit {r.ExitCode}, {r.Stderr}");
            Assert.Single(r.ErrorLines);
            foreach (string n in needles) Assert.Contains(n, r.Stderr);
            Assert.False(Directory.Exists(o), $"fit {string.Join(" ", args)} left {o}");
            Assert.False(Directory.Exists(o + ".checkpoint"), $"fit {string.Join(" ", args)} left {o}.checkpoint");
        }
    }

    /// <summary>Compares fingerprints by value (their widths are lists).</summary>
    private sealed class FingerprintComparer : IEqualityComparer<DataFingerprint?>
    {
        public static readonly FingerprintComparer Instance = new();

        public bool Equals(DataFingerprint? a, DataFingerprint? b) =>
            a is not null && b is not null && a.DifferenceFrom(b) is null;

        public int GetHashCode(DataFingerprint? f) => f?.Sha256.GetHashCode(StringComparison.Ordinal) ?? 0;
    }
}
