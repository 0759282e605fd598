using System.CommandLine;
using Mucmm.Evaluation;

namespace Mucmm.Cli.Commands;

/// <summary>
/// <c>mucmm compare --dataset NAME [--fsdd DIR] [--methods …] [--common-dim K] [--individual-dim R]
/// [--epochs N] --out DIR</c>: fits the baselines and MUCMM on the same split and writes
/// <c>comparison.json</c> and <c>comparison.md</c> (<see cref="Comparison"/>).
/// </summary>
public static class CompareCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var data = new DataOptions();
        var output = new OutputOptions("comparison.json and comparison.md");
        var runtime = new RuntimeOptions();
        var defaults = new ComparisonOptions();
        var methods = new Option<string>("--methods")
        {
            Description = $"Comma-separated methods to run, in table order: {string.Join(", ", Comparison.StandardNames)}.",
            HelpName = "LIST",
            DefaultValueFactory = _ => string.Join(",", Comparison.StandardNames),
        };
        var commonDim = new Option<int>("--common-dim") { Description = "Common variates k of every method (PCA: components per view).", HelpName = "K", DefaultValueFactory = _ => defaults.CommonDim };
        var individualDim = new Option<int?>("--individual-dim") { Description = "Individual variates r per view of the MUCMM methods (default: each method's own, as mucmm fit gives it).", HelpName = "R" };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs of the deep methods (default: the deep trainer's default).", HelpName = "N" };
        var cmd = new Command("compare",
            "Fit PCA per view, linear CCA, linear MUCMM, Deep CCA and deep MUCMM on the same train split and evaluate each " +
            "on the same test split (as 'mucmm evaluate'): one row per method with the test total correlation, leakage and every probe " +
            "→ DIR/comparison.json and DIR/comparison.md.\n" +
            DataOptions.HelpText + "\n\n" +
            "Examples:\n" +
            "  mucmm compare --dataset noisy-mnist --out cmp-mnist\n" +
            "  mucmm compare --dataset av-digits --fsdd ../shared/data/fsdd --out cmp-avd\n" +
            "  mucmm compare --dataset synthetic --methods pca,cca,linear --common-dim 3 --individual-dim 3 --out cmp-syn");
        data.AddTo(cmd, withSplit: false);
        cmd.Options.Add(methods);
        cmd.Options.Add(commonDim);
        cmd.Options.Add(individualDim);
        cmd.Options.Add(epochs);
        output.AddTo(cmd);
        runtime.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            runtime.Apply(parse);
            string[] chosen = parse.GetValue(methods)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (chosen.Length == 0) throw new MucmmUserException("--methods is empty");
            foreach (string m in chosen)
                if (!Comparison.StandardNames.Contains(m))
                    throw new MucmmUserException($"--methods: unknown method '{m}' (choose from {string.Join(", ", Comparison.StandardNames)})");
            if (chosen.Distinct().Count() != chosen.Length) throw new MucmmUserException("--methods names a method twice");
            if (parse.GetValue(epochs) is < 1) throw new MucmmUserException($"--epochs must be ≥ 1, got {parse.GetValue(epochs)}");
            using var folder = output.Open(parse);
            var dataset = data.LoadAll(parse);
            var options = new ComparisonOptions
            {
                CommonDim = parse.GetValue(commonDim),
                IndividualDim = parse.GetValue(individualDim),
                DeepEpochs = parse.GetValue(epochs),
                Seed = data.SeedOf(parse),
                Device = runtime.DeviceOf(parse),
            };
            var progress = runtime.Progress(parse);
            var all = Comparison.StandardMethods(options);
            var selected = chosen.Select(name => all.First(m => m.Name == name)).ToArray();
            var rows = Comparison.Run(dataset, selected, options.Evaluation, line => progress.WriteLine($"compare: {line}"));
            string command = "mucmm compare " + string.Join(" ", parse.Tokens.Where(t => t.Type != System.CommandLine.Parsing.TokenType.Command).Select(t => t.Value));
            Comparison.Write(folder.TempPath, dataset.Name, rows, command);
            folder.Commit();
            Console.Out.Write(Comparison.ToMarkdown(dataset.Name, rows));
            Console.Out.WriteLine($"compare: wrote {Path.Combine(folder.Target, "comparison.md")} and comparison.json");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
