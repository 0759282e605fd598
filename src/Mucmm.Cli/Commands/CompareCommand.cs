using System.CommandLine;
using Mucmm.Deep.Onnx;
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
        var commonDim = new Option<int>("--common-dim") { Description = $"Common variates k of every method (PCA: components per view; default: the dataset's own deep default where it has one (mucmm datasets), else {defaults.CommonDim}).", HelpName = "K", DefaultValueFactory = _ => defaults.CommonDim };
        var individualDim = new Option<int?>("--individual-dim") { Description = "Individual variates r per view of the MUCMM methods (default: each method's own, as mucmm fit gives it).", HelpName = "R" };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs of the deep methods (default: as mucmm fit gives it, the dataset's own deep default where it has one).", HelpName = "N" };
        var cmd = new Command("compare",
            "Fit PCA per view, linear CCA, linear MUCMM, Deep CCA and deep MUCMM on the same train split and evaluate each " +
            "on the same test split (as 'mucmm evaluate'): one row per method with the test total correlation, leakage and every probe " +
            "→ DIR/comparison.json and DIR/comparison.md. The deep methods get the settings mucmm fit gives them, the dataset's own " +
            "deep defaults included (mucmm datasets lists them; a note says which were applied); the dataset's k is every method's k.\n" +
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
            // Views with a pretrained default encoder (the emoji drawings: resnet18) and text views (minilm) are compared on
            // their frozen (cached) features, as mucmm fit trains on them.
            var specs = ViewEncoders.Resolve(
                [.. Mucmm.Data.Datasets.DatasetCatalog.DefaultEncoders(dataset).Select(e => ViewEncoders.IsPretrained(e) ? e : null)], dataset.Views);
            if (ViewEncoders.Any(specs)) dataset = EncoderOptions.Encode(dataset, specs, parse.GetValue(runtime.Quiet));
            // The dataset's own deep defaults, as mucmm fit applies them (a flag given always wins). k is shared by every
            // method, so the dataset's k applies to all of them; the other settings only to the deep methods.
            var dataDefaults = Mucmm.Data.Datasets.DatasetCatalog.DeepDefaultsOf(dataset);
            bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
            bool anyDeep = chosen.Any(m => m is "deep" or "dcca");
            var applied = dataDefaults.Settings().Where(s => s.Property switch
            {
                "DeepModelOptions.CommonDim" => !Given(commonDim),
                "DeepModelOptions.IndividualDim" => !Given(individualDim) && chosen.Contains("deep"),
                "DeepTrainingOptions.Epochs" => !Given(epochs) && anyDeep,
                _ => anyDeep,
            }).ToArray();
            var options = new ComparisonOptions
            {
                CommonDim = Given(commonDim) ? parse.GetValue(commonDim) : dataDefaults.CommonDim ?? parse.GetValue(commonDim),
                IndividualDim = parse.GetValue(individualDim),
                DeepEpochs = parse.GetValue(epochs),
                Seed = data.SeedOf(parse),
                Device = runtime.DeviceOf(parse),
                DatasetDefaults = dataDefaults,
                FeatureViews = ViewEncoders.Any(specs) ? [.. specs.Select(e => e is not null)] : null,
            };
            var progress = runtime.Progress(parse);
            var all = Comparison.StandardMethods(options);
            var selected = chosen.Select(name => all.First(m => m.Name == name)).ToArray();
            var rows = Comparison.Run(dataset, selected, options.Evaluation, line => progress.WriteLine($"compare: {line}"));
            string command = "mucmm compare " + string.Join(" ", parse.Tokens.Where(t => t.Type != System.CommandLine.Parsing.TokenType.Command).Select(t => t.Value));
            Comparison.Write(folder.TempPath, dataset.Name, rows, command);
            folder.Commit();
            Console.Out.Write(Comparison.ToMarkdown(dataset.Name, rows));
            if (DeepFitOptions.DatasetDefaultsNote(dataset.Name, applied) is { } note) Console.Error.WriteLine($"mucmm: note: {note}");
            Console.Out.WriteLine($"compare: wrote {Path.Combine(folder.Target, "comparison.md")} and comparison.json");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
