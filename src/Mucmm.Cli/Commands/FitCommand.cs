using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Linear;

namespace Mucmm.Cli.Commands;

/// <summary>
/// <c>mucmm fit --model linear|cca (data options) [--common-dim K] [--individual-dim R] [--ridge E]
/// [--threshold T | --permutations N] [--seed S] --out DIR [--force]</c>: fits on the train split and
/// writes <c>DIR/model/</c> and <c>DIR/fit.json</c>.
/// </summary>
/// <remarks>
/// All options are parsed here once into a <see cref="FitRequest"/>; <see cref="Run"/> dispatches on
/// <c>--model</c>. A new model kind adds its name to <see cref="Models"/>, its own options to
/// <see cref="Create"/>, and one case to the dispatch that fits it and returns the fitted model plus
/// its training canonical correlations.
/// </remarks>
public static class FitCommand
{
    /// <summary>Model kinds this command fits.</summary>
    public static readonly string[] Models = ["linear", "cca"];

    /// <summary>What every fit needs, parsed once from the command line.</summary>
    /// <param name="Model">Model kind (one of <see cref="Models"/>).</param>
    /// <param name="Train">The rows to fit on (the train split unless --split says otherwise).</param>
    /// <param name="DataName">Dataset name or the two file names, for fit.json.</param>
    /// <param name="Split">Split name used.</param>
    /// <param name="CommonDim">--common-dim.</param>
    /// <param name="IndividualDim">--individual-dim.</param>
    /// <param name="Ridge">--ridge.</param>
    /// <param name="Threshold">--threshold (null when not given).</param>
    /// <param name="Permutations">--permutations.</param>
    /// <param name="Seed">--seed.</param>
    public sealed record FitRequest(string Model, PairedDataset Train, string DataName, string Split,
        int CommonDim, int IndividualDim, double Ridge, double? Threshold, int Permutations, int Seed);

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model")
        {
            Description = "Model to fit: linear (linear MUCMM: common + individual) or cca (linear CCA, common only).",
            HelpName = "MODEL",
            DefaultValueFactory = _ => "linear",
        };
        model.AcceptOnlyFromAmong(Models);
        var data = new DataOptions(defaultSplit: "train");
        var output = new OutputOptions("model/ and fit.json");
        var commonDim = new Option<int>("--common-dim")
        {
            Description = "Number of common variates k per view.", HelpName = "K",
            DefaultValueFactory = _ => LinearOptions.Defaults.CommonDim,
        };
        var individualDim = new Option<int>("--individual-dim")
        {
            Description = "Number of individual variates r per view.", HelpName = "R",
            DefaultValueFactory = _ => LinearOptions.Defaults.IndividualDim,
        };
        var ridge = new Option<double>("--ridge")
        {
            Description = "Ridge relative to the mean variance (0 = classical CCA, needs more samples than columns and no constant column).",
            HelpName = "E",
            DefaultValueFactory = _ => LinearOptions.Defaults.Ridge,
        };
        var threshold = new Option<double?>("--threshold")
        {
            Description = "Correlated set K = pairs with regularized canonical correlation above T (at least k). Default: K = k.",
            HelpName = "T",
        };
        var permutations = new Option<int>("--permutations")
        {
            Description = "Choose the threshold by a permutation test with N re-pairings of the rows (95th percentile of the top correlation; seeded by --seed).",
            HelpName = "N",
            DefaultValueFactory = _ => LinearOptions.Defaults.Permutations,
        };

        var cmd = new Command("fit",
            "Fit a model on the train split; write DIR/model/ (config.json + weights.safetensors) and DIR/fit.json.\n" +
            DataOptions.HelpText + "\n" +
            "Examples:\n" +
            "  mucmm fit --model linear --dataset synthetic --common-dim 3 --individual-dim 2 --out runs/lin\n" +
            "  mucmm fit --model cca --view1 a.npy --view2 b.csv --ridge 0 --out runs/cca\n" +
            "  mucmm fit --dataset noisy-mnist --permutations 100 --out runs/mnist-linear");
        cmd.Options.Add(model);
        data.AddTo(cmd);
        cmd.Options.Add(commonDim);
        cmd.Options.Add(individualDim);
        cmd.Options.Add(ridge);
        cmd.Options.Add(threshold);
        cmd.Options.Add(permutations);
        output.AddTo(cmd);

        cmd.SetAction(parse =>
        {
            if (parse.GetValue(threshold) is not null && parse.GetValue(permutations) > 0)
                throw new MucmmUserException("give either --threshold T or --permutations N, not both");
            using var folder = output.Open(parse);
            string dataName = parse.GetValue(data.Dataset)
                ?? $"{parse.GetValue(data.View1)} + {parse.GetValue(data.View2)}";
            var request = new FitRequest(
                parse.GetValue(model)!, data.Load(parse), dataName, parse.GetValue(data.Split)!,
                parse.GetValue(commonDim), parse.GetValue(individualDim), parse.GetValue(ridge),
                parse.GetValue(threshold), parse.GetValue(permutations), data.SeedOf(parse));
            if (request.Train.Count == 0)
                throw new MucmmUserException($"the {request.Split} split of {dataName} has no rows");
            Run(request, folder);
            folder.Commit();
            Console.WriteLine($"fit: wrote {folder.Target}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Fits the requested model and writes <c>model/</c> and <c>fit.json</c> into <paramref name="folder"/>.</summary>
    public static void Run(FitRequest request, OutputFolder folder)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(folder);
        var clock = Stopwatch.StartNew();
        var (fitted, correlations, extra) = request.Model switch
        {
            "linear" or "cca" => FitLinear(request),
            _ => throw new MucmmUserException($"unknown model '{request.Model}' (choose from {string.Join(", ", Models)})"),
        };
        double seconds = clock.Elapsed.TotalSeconds;
        fitted.Save(folder.File("model"));

        var fit = new JsonObject
        {
            ["model"] = fitted.Kind,
            ["data"] = request.DataName,
            ["split"] = request.Split,
            ["n_samples"] = request.Train.Count,
            ["dims"] = new JsonArray(fitted.InputDims.Select(d => (JsonNode)d).ToArray()),
            ["common_dim"] = fitted.CommonDim,
            ["individual_dims"] = new JsonArray(fitted.IndividualDims.Select(d => (JsonNode)d).ToArray()),
            ["ridge"] = request.Ridge,
            ["seed"] = request.Seed,
            ["canonical_correlations"] = new JsonArray(correlations.Select(c => (JsonNode)c).ToArray()),
            ["fit_seconds"] = Math.Round(seconds, 3),
        };
        foreach (var (key, value) in extra) fit[key] = value?.DeepClone();
        File.WriteAllText(folder.File("fit.json"), fit.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static (IMultiviewModel Model, IReadOnlyList<double> Correlations, JsonObject Extra) FitLinear(FitRequest r)
    {
        var options = new LinearOptions
        {
            Kind = r.Model == "cca" ? LinearModelKind.Cca : LinearModelKind.Mucmm,
            CommonDim = r.CommonDim,
            IndividualDim = r.IndividualDim,
            Ridge = r.Ridge,
            Threshold = r.Threshold,
            Permutations = r.Permutations,
            Seed = r.Seed,
        };
        if (r.Train.Views.Count != 2)
            throw new MucmmUserException($"{r.Model} takes 2 views; {r.DataName} has {r.Train.Views.Count}");
        var model = LinearMucmm.Fit(r.Train.Views, options);
        var extra = new JsonObject
        {
            ["correlated_count"] = model.CorrelatedCount,
            ["threshold"] = model.Threshold,
            ["permutations"] = model.Permutations,
            ["regularized_canonical_correlations"] = new JsonArray(model.RegularizedCanonicalCorrelations.Select(c => (JsonNode)c).ToArray()),
            ["explained_variance"] = new JsonArray(model.ExplainedVariance.Select(s => (JsonNode)new JsonObject
            {
                ["common"] = s.Common, ["individual"] = s.Individual, ["residual"] = s.Residual,
            }).ToArray()),
        };
        return (model, model.CanonicalCorrelations, extra);
    }
}
