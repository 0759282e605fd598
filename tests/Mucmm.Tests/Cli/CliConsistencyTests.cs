using Mucmm.Cli;
using Mucmm.Deep;
using Mucmm.Tests.Reliability;
using Xunit;

namespace Mucmm.Tests.Cli;

/// <summary>
/// Options mean the same in every command (issue 12, item 6): <c>--run DIR</c> names a fitted run everywhere, with
/// <c>--model DIR</c> as its alias outside <c>fit</c>; <c>explain --count N</c>; <c>export-dataset --dataset NAME</c>
/// beside the positional name; <c>--device</c> accepts the same values in every command. And the library names
/// properties where the command line shows flags (item 5).
/// </summary>
public sealed class CliConsistencyTests
{
    private static readonly Lazy<string> Run = new(() =>
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "fit");
        CliHarness.Run("fit", "--model", "linear", "--dataset", "synthetic", "--samples", "400",
            "--common-dim", "2", "--individual-dim", "2", "--seed", "3", "--out", dir).AssertOk();
        return dir;
    });

    /// <summary>
    /// <c>--model DIR</c> is an alias of <c>--run DIR</c> in transform and explain: the outputs are byte for byte those
    /// of <c>--run</c> (oracle: the <c>--run</c> output; explain's maps are deterministic for a fixed seed).
    /// </summary>
    [Fact]
    public void ModelIsAnAliasOfRunInTransformAndExplain()
    {
        string root = TestPaths.NewTempDir();
        foreach (string flag in new[] { "--run", "--model" })
        {
            CliHarness.Run("transform", flag, Run.Value, "--split", "test", "--out", Path.Combine(root, "t" + flag)).AssertOk();
            CliHarness.Run("explain", flag, Run.Value, "--count", "2", "--out", Path.Combine(root, "x" + flag), "--quiet").AssertOk();
        }
        foreach (string file in new[] { "t/common1.npy", "t/individual2.npy", "x/maps.npy", "x/samples.csv" })
        {
            string[] parts = file.Split('/');
            Assert.Equal(File.ReadAllBytes(Path.Combine(root, parts[0] + "--run", parts[1])), File.ReadAllBytes(Path.Combine(root, parts[0] + "--model", parts[1])));
        }
        Assert.Equal(3, File.ReadAllLines(Path.Combine(root, "x--run", "samples.csv")).Length);   // header + --count 2
    }

    /// <summary><c>report</c> takes the run as <c>--run</c> and, like every other command, as <c>--model</c>.</summary>
    [Fact]
    public void ReportTakesModelAsAnAlias()
    {
        var r = CliHarness.Run("report", "--model", Run.Value, "--force", "--quiet");
        r.AssertOk();
        Assert.True(File.Exists(Path.Combine(Run.Value, "report.html")));
    }

    /// <summary>
    /// <c>export-dataset --dataset NAME</c> and the positional <c>export-dataset NAME</c> write the same files (oracle: each
    /// other, byte for byte); both naming different datasets, or none, is one error line and exit 2.
    /// </summary>
    [Fact]
    public void ExportDatasetTakesDatasetLikeOtherCommands()
    {
        string root = TestPaths.NewTempDir();
        CliHarness.Run("export-dataset", "--dataset", "synthetic", "--samples", "50", "--out", Path.Combine(root, "a")).AssertOk();
        CliHarness.Run("export-dataset", "synthetic", "--samples", "50", "--out", Path.Combine(root, "b")).AssertOk();
        foreach (string file in new[] { "view1.npy", "view2.npy", "meta.csv" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(root, "a", file)), File.ReadAllBytes(Path.Combine(root, "b", file)));

        var both = CliHarness.Run("export-dataset", "noisy-mnist", "--dataset", "synthetic", "--out", Path.Combine(root, "c"));
        Assert.Equal(2, both.ExitCode);
        Assert.Single(both.ErrorLines);
        var none = CliHarness.Run("export-dataset", "--out", Path.Combine(root, "d"));
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("--dataset NAME", none.Stderr);
        Assert.False(Directory.Exists(Path.Combine(root, "c")) || Directory.Exists(Path.Combine(root, "d")));
    }

    /// <summary>
    /// <c>--device</c> is parsed in one place (<see cref="RuntimeOptions"/>): every command that takes it refuses the same
    /// unknown value at parse time (exit 2), <c>fit</c> included (it once accepted any text and failed later).
    /// </summary>
    [Theory]
    [InlineData("fit", "--model", "deep", "--dataset", "synthetic")]
    [InlineData("evaluate", "--run", "RUN")]
    [InlineData("score", "--run", "RUN")]
    [InlineData("explain", "--run", "RUN")]
    [InlineData("report", "--run", "RUN")]
    [InlineData("demo", "--quick")]
    [InlineData("compare", "--dataset", "synthetic")]
    public void DeviceAcceptsTheSameValuesEverywhere(params string[] args)
    {
        var r = CliHarness.Run([.. args.Select(a => a == "RUN" ? Run.Value : a), "--device", "tpu"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'tpu'", r.Stderr);
        Assert.Contains("'cuda'", r.Stderr);   // the accepted values are listed
    }

    /// <summary>
    /// A library error reaches the command line with the flag that sets the property (<see cref="OptionNames"/>):
    /// <c>--lr -1</c> prints "--lr must be a positive number", not the property name.
    /// </summary>
    [Fact]
    public void CliErrorsShowTheFlag()
    {
        var r = CliHarness.Run("fit", "--model", "deep", "--dataset", "synthetic", "--samples", "300", "--lr", "-1",
            "--out", Path.Combine(TestPaths.NewTempDir(), "o"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--lr must be a positive number, got -1", r.Stderr);
        Assert.DoesNotContain("DeepTrainingOptions", r.Stderr);
    }

    /// <summary>The library's own message names the property a C# caller sets, and no command-line flag.</summary>
    [Fact]
    public void LibraryErrorsNameTheProperty()
    {
        var e = Assert.Throws<MucmmUserException>(() => new DeepTrainingOptions { LearningRate = -1 }.Validate());
        Assert.Contains("DeepTrainingOptions.LearningRate must be a positive number", e.Message);
        Assert.DoesNotContain("--", e.Message);
        e = Assert.Throws<MucmmUserException>(() => new DeepModelOptions { CommonDim = 0 }.Validate());
        Assert.Contains("DeepModelOptions.CommonDim", e.Message);
        Assert.DoesNotContain("--", e.Message);
    }

    /// <summary>
    /// <see cref="OptionNames.ToFlags"/> replaces whole property names only, leaves unknown ones (no flag sets them) and
    /// other text as they are; <see cref="OptionNames.FlagOf"/> maps the resume check's settings
    /// (<see cref="SettingDifference.Property"/>) to flags.
    /// </summary>
    [Fact]
    public void OptionNamesMapPropertiesToFlags()
    {
        Assert.Equal("--batch-size 8 is too small; lower --lr (now 0.1)",
            OptionNames.ToFlags("DeepTrainingOptions.BatchSize 8 is too small; lower DeepTrainingOptions.LearningRate (now 0.1)"));
        Assert.Equal("MucmmObjectiveOptions.Ridge must be ≥ 0 in data/My.File", OptionNames.ToFlags("MucmmObjectiveOptions.Ridge must be ≥ 0 in data/My.File"));
        Assert.Equal("exists; replace it with --force", OptionNames.ToFlags("exists; replace it with OutputFolder.Create(force)"));
        Assert.Equal("--lr", OptionNames.FlagOf(new SettingDifference("training.learning_rate", "").Property));
        Assert.Equal("--alpha", OptionNames.FlagOf(new SettingDifference("training.objective.alpha", "").Property));
        Assert.Equal("--encoder torchscript:PATH", OptionNames.FlagOf(new SettingDifference("model.torch_script_paths", "").Property));
        Assert.Equal("the data", OptionNames.FlagOf(new SettingDifference("data", "").Property));
    }
}
