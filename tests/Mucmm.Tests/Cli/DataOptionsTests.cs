using System.CommandLine;
using Mucmm.Cli;
using Mucmm.Data;
using Mucmm.Data.Readers;
using Xunit;

namespace Mucmm.Tests.Cli;

public class DataOptionsTests
{
    private static PairedDataset Load(string defaultSplit, params string[] args)
    {
        var options = new DataOptions(defaultSplit);
        var cmd = new RootCommand();
        options.AddTo(cmd);
        var parse = cmd.Parse(args);
        Assert.Empty(parse.Errors);
        return options.Load(parse);
    }

    [Fact]
    public void Dataset_and_split_select_rows_in_index_order()
    {
        var test = Load("all", "--dataset", "split-mnist", "--split", "test", "--seed", "4");
        Assert.Equal(1_000, test.Count);
        Assert.All(test.Splits, s => Assert.Equal(Split.Test, s));
        Assert.Equal(test.Indices.Order(), test.Indices);
        Assert.Equal(8_000, Load("train", "--dataset", "split-mnist").Count);
        Assert.Equal(10_000, Load("all", "--dataset", "split-mnist").Count);
    }

    [Fact]
    public void Npy_files_become_a_paired_dataset_with_a_fixed_seed_split()
    {
        string dir = TestPaths.NewTempDir();
        string a = Path.Combine(dir, "a.npy"), b = Path.Combine(dir, "b.npy");
        NpyFile.Write(a, Enumerable.Range(0, 200 * 3).Select(i => (double)i).ToArray(), 200, 3);
        NpyFile.Write(b, Enumerable.Range(0, 200 * 5).Select(i => (double)-i).ToArray(), 200, 5);
        var all = Load("all", "--view1", a, "--view2", b, "--seed", "9");
        Assert.Equal(200, all.Count);
        Assert.Equal([3, 5], all.Views.Select(v => v.Cols));
        Assert.Equal(4.0, all.Views[0].Row(1)[1]);
        Assert.Equal([160, 20, 20], new[] { Split.Train, Split.Validation, Split.Test }.Select(s => all.RowsOf(s).Length));
        Assert.Equal(all.Splits, Load("all", "--view1", a, "--view2", b, "--seed", "9").Splits);
        Assert.Equal(20, Load("train", "--view1", a, "--view2", b, "--seed", "9", "--split", "validation").Count);
    }

    [Fact]
    public void Csv_and_npy_files_can_be_paired()
    {
        string dir = TestPaths.NewTempDir();
        string a = Path.Combine(dir, "a.csv"), b = Path.Combine(dir, "b.npy");
        File.WriteAllLines(a, new[] { "\"x 1\",y" }.Concat(Enumerable.Range(0, 30).Select(i => $"{i},{i * 0.5}")));
        NpyFile.Write(b, Enumerable.Range(0, 30).Select(i => (double)i).ToArray(), 30, 1);
        var all = Load("all", "--view1", a, "--view2", b);
        Assert.Equal([2, 1], all.Views.Select(v => v.Cols));
        Assert.Equal(3.5, all.Views[0].Row(7)[1]);
    }

    [Fact]
    public void Files_with_different_row_counts_are_refused_naming_the_file()
    {
        string dir = TestPaths.NewTempDir();
        string a = Path.Combine(dir, "a.npy"), b = Path.Combine(dir, "b.npy");
        NpyFile.Write(a, new double[20 * 2], 20, 2);
        NpyFile.Write(b, new double[19 * 2], 19, 2);
        var ex = Assert.Throws<MucmmUserException>(() => Load("all", "--view1", a, "--view2", b));
        Assert.StartsWith(b, ex.Message);
        Assert.Contains("has 19 rows but " + a + " has 20", ex.Message);
    }

    [Fact]
    public void Non_finite_values_are_refused_naming_the_file()
    {
        string dir = TestPaths.NewTempDir();
        string a = Path.Combine(dir, "a.csv"), b = Path.Combine(dir, "b.csv");
        File.WriteAllLines(a, new[] { "x" }.Concat(Enumerable.Range(0, 10).Select(i => i == 6 ? "NaN" : $"{i}")));
        File.WriteAllLines(b, new[] { "y" }.Concat(Enumerable.Range(0, 10).Select(i => $"{i}")));
        var ex = Assert.Throws<MucmmUserException>(() => Load("all", "--view1", b, "--view2", a));
        Assert.StartsWith(a, ex.Message);
        Assert.Single(ex.Message.Split('\n'));
    }

    [Fact]
    public void Synthetic_size_comes_from_samples()
    {
        Assert.Equal(300, Load("all", "--dataset", "synthetic", "--samples", "300").Count);
    }

    [Fact]
    public void Missing_or_conflicting_data_options_are_user_errors()
    {
        Assert.Contains("--dataset", Assert.Throws<MucmmUserException>(() => Load("all")).Message);
        Assert.Contains("--view2", Assert.Throws<MucmmUserException>(() => Load("all", "--view1", "x.npy")).Message);
        Assert.Contains("not both", Assert.Throws<MucmmUserException>(() => Load("all", "--dataset", "synthetic", "--view1", "x.npy", "--view2", "y.npy")).Message);
        var missing = Assert.Throws<MucmmUserException>(() => Load("all", "--view1", "/nonexistent/x.npy", "--view2", "/nonexistent/y.npy"));
        Assert.StartsWith("/nonexistent/x.npy", missing.Message);
    }
}
