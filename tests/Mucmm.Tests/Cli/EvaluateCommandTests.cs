using System.Text.Json.Nodes;
using Xunit;

namespace Mucmm.Tests.Cli;

public class EvaluateCommandTests
{
    private static string FitSynthetic(string root)
    {
        string run = Path.Combine(root, "run");
        var r = CliHarness.Run("fit", "--model", "linear", "--dataset", "synthetic", "--samples", "1500",
            "--common-dim", "3", "--individual-dim", "3", "--seed", "4", "--out", run);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return run;
    }

    [Fact]
    public void Evaluate_writes_metrics_json_taking_the_data_from_fit_json()
    {
        string root = TestPaths.NewTempDir();
        string run = FitSynthetic(root);
        string outDir = Path.Combine(root, "eval");
        // --samples must be repeated: fit.json records the dataset and seed, not the generator's size.
        var r = CliHarness.Run("evaluate", "--model", run, "--samples", "1500", "--out", outDir, "--threads", "2", "--quiet");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("", r.Stderr);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")))!;
        Assert.Equal(1200, json["split"]!["train"]!.GetValue<int>());
        Assert.Equal(3, json["test"]!["canonical_correlations"]!.AsArray().Count);
        Assert.True(json["test"]!["total_correlation"]!.GetValue<double>() > 2.0);
        Assert.Contains("individual1_1 (R²)", r.Stdout);
        Assert.Contains("metrics.json", r.Stdout);
    }

    [Fact]
    public void Evaluate_accepts_the_model_folder_with_explicit_data()
    {
        string root = TestPaths.NewTempDir();
        string run = FitSynthetic(root);
        var r = CliHarness.Run("evaluate", "--model", Path.Combine(run, "model"), "--dataset", "synthetic", "--samples", "1500",
            "--seed", "4", "--out", Path.Combine(root, "eval"));
        Assert.True(r.ExitCode == 0, r.Stderr);
    }

    /// <summary>
    /// Data named without --seed take the fit's seed from fit.json, so the split (and test rows) are the fit's:
    /// the metrics equal those of the run evaluated on its recorded data (exact equality: same rows, same code).
    /// </summary>
    [Fact]
    public void Explicit_data_without_seed_use_the_seed_of_the_fit()
    {
        string root = TestPaths.NewTempDir();
        string run = FitSynthetic(root);
        var a = CliHarness.Run("evaluate", "--model", run, "--samples", "1500", "--out", Path.Combine(root, "a"), "--quiet");
        var b = CliHarness.Run("evaluate", "--model", run, "--dataset", "synthetic", "--samples", "1500", "--out", Path.Combine(root, "b"), "--quiet");
        Assert.True(a.ExitCode == 0 && b.ExitCode == 0, a.Stderr + b.Stderr);
        Assert.Equal(File.ReadAllText(Path.Combine(root, "a", "metrics.json")), File.ReadAllText(Path.Combine(root, "b", "metrics.json")));
    }

    [Fact]
    public void Missing_model_folder_is_a_user_error()
    {
        string root = TestPaths.NewTempDir();
        var r = CliHarness.Run("evaluate", "--model", Path.Combine(root, "nope"), "--dataset", "synthetic", "--out", Path.Combine(root, "e"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("nope", r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(root, "e")));
    }

    [Fact]
    public void Data_of_the_wrong_width_and_an_existing_output_are_user_errors()
    {
        string root = TestPaths.NewTempDir();
        string run = FitSynthetic(root);
        var wrong = CliHarness.Run("evaluate", "--model", run, "--dataset", "noisy-mnist", "--out", Path.Combine(root, "e1"));
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("784", wrong.Stderr);
        Assert.False(Directory.Exists(Path.Combine(root, "e1")));

        Directory.CreateDirectory(Path.Combine(root, "e3"));
        var exists = CliHarness.Run("evaluate", "--model", run, "--samples", "1500", "--out", Path.Combine(root, "e3"));
        Assert.Equal(2, exists.ExitCode);
        Assert.Contains("already exists", exists.Stderr);
        var input = CliHarness.Run("evaluate", "--model", run, "--samples", "1500", "--out", run);   // the model it reads
        Assert.Equal(2, input.ExitCode);
        Assert.Contains("is an input of this command", input.Stderr);

        var threads = CliHarness.Run("evaluate", "--model", run, "--out", Path.Combine(root, "e2"), "--threads", "0");
        Assert.Equal(2, threads.ExitCode);
        Assert.Contains("--threads", threads.Stderr);
    }

    /// <summary>
    /// Oracle: the retrieval definitions and the chance levels of <c>Retrieval.Chance</c> (n = 150 test rows:
    /// recall@10 chance 10/150). The synthetic data's 3 common factors make common-variate retrieval far
    /// above chance (recall@10 &gt; 3 × chance); its individual variates are independent across views, so
    /// individual-variate recall@10 stays below 3 × chance. metrics.json reads back with the same
    /// figures, and a metrics.json without <c>retrieval</c> (an older file) still reads, with none.
    /// </summary>
    [Fact]
    public void Evaluate_reports_retrieval_in_metrics_json_and_on_the_console()
    {
        string root = TestPaths.NewTempDir();
        string run = FitSynthetic(root);
        string outDir = Path.Combine(root, "eval");
        var r = CliHarness.Run("evaluate", "--model", run, "--samples", "1500", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("retrieval (test, 150 candidates", r.Stdout);
        Assert.Contains("view 1 → view 2", r.Stdout);
        Assert.Contains("view 2 → view 1", r.Stdout);
        string path = Path.Combine(outDir, "metrics.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        var retrieval = json["retrieval"]!;
        Assert.Equal(150, retrieval["candidates"]!.GetValue<int>());
        Assert.Equal(10.0 / 150, retrieval["chance"]!["recall_at_10"]!.GetValue<double>(), 15);
        Assert.Equal(75.5, retrieval["chance"]!["median_rank"]!.GetValue<double>());
        foreach (string key in new[] { "view1_to_view2", "view2_to_view1" })
        {
            Assert.True(retrieval["common"]![key]!["recall_at_10"]!.GetValue<double>() > 0.2, key);
            Assert.True(retrieval["individual"]![key]!["recall_at_10"]!.GetValue<double>() < 0.2, key);
        }
        var read = Mucmm.Evaluation.EvaluationResult.Read(path);
        Assert.NotNull(read.Retrieval);
        Assert.Equal(read.ToJson()["retrieval"]!.ToJsonString(), retrieval.ToJsonString());

        var old = json.AsObject();
        old.Remove("retrieval");
        string oldPath = Path.Combine(root, "old-metrics.json");
        File.WriteAllText(oldPath, old.ToJsonString());
        var older = Mucmm.Evaluation.EvaluationResult.Read(oldPath);
        Assert.Null(older.Retrieval);
        Assert.Equal(read.TotalCorrelation, older.TotalCorrelation);
    }
}
