using System.CommandLine;
using System.Globalization;
using Mucmm.Data;
using Mucmm.Explain;

namespace Mucmm.Cli.Commands;

/// <summary>
/// <c>mucmm explain --run DIR (data options) [--count N | --indices i,j,…] [--select RULE]
/// [--method M] [--score S]… --out DIR</c>: gradient maps as PNG pictures plus the raw attributions.
/// </summary>
/// <remarks>
/// <c>--count N</c> is the number of samples explained; <c>--samples N</c> means what it means in every command, the
/// size of a synthetic dataset (it once was the count here: an old <c>--samples 6</c> is now refused on other datasets,
/// and on a synthetic run it names other data, which the run's fingerprint refuses).
/// </remarks>
public static class ExplainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var runOption = new RunOption();
        var runtime = new RuntimeOptions();
        var data = new DataOptions(defaultSplit: "test");
        var output = new OutputOptions("explain.png, grid_*.png, maps.npy, maps.json, samples.csv (and sanity.json, localization.json, atlas_view*.png, atlas.json; tokens_*.png, tokens.json for text views)");
        var count = new Option<int>("--count")
        {
            Description = "Number of samples to explain (ignored with --indices).", HelpName = "N",
            DefaultValueFactory = _ => new ExplainOptions().SampleCount,
        };
        var indices = new Option<string?>("--indices") { Description = "Dataset indices to explain, comma-separated (the order export-dataset writes).", HelpName = "I,J,…" };
        var select = new Option<string>("--select")
        {
            Description = "How to choose samples: random, or top-SCORE / bottom-SCORE (e.g. top-common, bottom-individual1, top-common:2).",
            HelpName = "RULE",
            DefaultValueFactory = _ => "random",
        };
        var method = new Option<string>("--method")
        {
            Description = "Attribution: gradient, gradient-x-input, smoothgrad, integrated-gradients, pattern (training covariance × gradient), pattern-x-input (input ⊙ pattern), occlusion (score change when a patch is set to the baseline).",
            HelpName = "METHOD",
            DefaultValueFactory = _ => AttributionOptions.MethodName(AttributionOptions.Defaults.ExplainMethod),
        };
        method.AcceptOnlyFromAmong([.. AttributionOptions.MethodNames]);
        var score = new Option<string[]>("--score")
        {
            Description = "Score to explain (repeatable): common (mean over view pairs for more than 2 views), individual1, individual2, … (individualM for view M), " +
                          "common:i (term i of the common score), common1:i / common2:i / … (single common variate), individual1:i (single individual variate). Default: common and every individual score.",
            HelpName = "SCORE",
            AllowMultipleArgumentsPerToken = true,
        };
        var sgSamples = new Option<int>("--smoothgrad-samples")
        {
            Description = "SmoothGrad: noisy copies per sample.", HelpName = "N",
            DefaultValueFactory = _ => AttributionOptions.Defaults.SmoothGradSamples,
        };
        var noise = new Option<double>("--noise")
        {
            Description = "SmoothGrad: noise σ as a fraction of each sample's value range.", HelpName = "SIGMA",
            DefaultValueFactory = _ => AttributionOptions.Defaults.SmoothGradNoise,
        };
        var steps = new Option<int>("--steps")
        {
            Description = "Integrated Gradients: Gauss–Legendre nodes along the path.", HelpName = "N",
            DefaultValueFactory = _ => AttributionOptions.Defaults.IntegratedGradientsSteps,
        };
        var patch = new Option<int>("--patch")
        {
            Description = "Occlusion: side of the square patch (images, spectrograms) or window length (vectors), in inputs.", HelpName = "N",
            DefaultValueFactory = _ => AttributionOptions.Defaults.OcclusionPatch,
        };
        var stride = new Option<int>("--stride")
        {
            Description = "Occlusion: step between patches, in inputs (1 … the patch size).", HelpName = "N",
            DefaultValueFactory = _ => AttributionOptions.Defaults.OcclusionStride,
        };
        var baseline = new Option<string>("--baseline")
        {
            Description = "Integrated Gradients, occlusion and deletion baseline: zero, mean (mean training input) or blurred (each sample blurred, Gaussian σ = 4).", HelpName = "B",
            DefaultValueFactory = _ => "zero",
        };
        baseline.AcceptOnlyFromAmong("zero", "mean", "blurred");
        var localization = new Option<bool>("--localization")
        {
            Description = "Score every method's maps against the regions the dataset declares (e.g. located-mnist); writes localization.json.",
        };
        var atlas = new Option<bool>("--atlas")
        {
            Description = "Also draw every variate's pattern (regression of the input on it, training rows) and its most extreme samples; writes atlas_view*.png, atlas.json.",
        };
        var style = new Option<string>("--style")
        {
            Description = "Map colours in explain.png: signed (blue < 0 < red) or magnitude (|map| over the input).", HelpName = "STYLE",
            DefaultValueFactory = _ => "signed",
        };
        style.AcceptOnlyFromAmong("signed", "magnitude");
        var sanity = new Option<bool>("--sanity-checks") { Description = "Also run the deletion test and (when the model supports it) the model-randomization test; writes sanity.json." };

        var cmd = new Command("explain",
            "Draw gradient maps of the common and individual scores with respect to each input view.\n" +
            "Each row of explain.png shows a sample: input 1, its maps, input 2, its maps (and so on for --view3 …). " + DataOptions.HelpText + "\n" +
            "Examples:\n  mucmm explain --run runs/lin --dataset noisy-mnist --count 6 --out runs/lin-explain\n" +
            "  mucmm explain --run runs/deep --dataset noisy-mnist --select top-individual1 --method integrated-gradients --out ex\n" +
            "  mucmm explain --run runs/lin --dataset noisy-mnist --indices 3,17 --score common:1 --score individual1:2 --out ex2");
        runOption.AddTo(cmd);
        foreach (var o in new Option[] { data.Dataset, data.Fsdd, data.Emoji, data.Views, data.SkinTones, data.View1, data.View2 }.Concat(data.MoreViews).Concat([data.Seed, data.Split, data.Samples])) cmd.Options.Add(o);
        output.AddTo(cmd);
        foreach (var o in new Option[] { count, indices, select, method, score, sgSamples, noise, steps, patch, stride, baseline, style, sanity, localization, atlas }) cmd.Options.Add(o);

        runtime.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            runtime.Apply(parse);
            using var m = runOption.Load(parse);
            var run = runOption.RunOf(parse);
            int seed = data.SeedFor(parse, run);
            var options = new ExplainOptions
            {
                SampleCount = parse.GetValue(count),
                Indices = ParseIndices(parse.GetValue(indices)),
                Select = parse.GetValue(select)!,
                Scores = parse.GetValue(score) is { Length: > 0 } s ? s : null,
                Attribution = new AttributionOptions
                {
                    Method = AttributionOptions.ParseMethod(parse.GetValue(method)!),
                    SmoothGradSamples = parse.GetValue(sgSamples),
                    SmoothGradNoise = parse.GetValue(noise),
                    IntegratedGradientsSteps = parse.GetValue(steps),
                    OcclusionPatch = parse.GetValue(patch),
                    OcclusionStride = parse.GetValue(stride),
                    Seed = seed,
                },
                Baseline = Baselines.Parse(parse.GetValue(baseline)!),
                Localization = parse.GetValue(localization),
                Atlas = parse.GetValue(atlas),
                Regions = RegionsOf(parse.GetValue(data.Dataset)),
                Style = parse.GetValue(style) == "magnitude" ? MapStyle.Magnitude : MapStyle.Signed,
                SanityChecks = parse.GetValue(sanity),
                Seed = seed,
            };
            // Check options that do not need the data before loading it.
            options.Attribution.Validate();
            foreach (var name in options.Scores ?? []) Score.Parse(name, m);
            if (options.Select != "random" && options.Indices is null) SampleSelection.ParseRule(options.Select, m);
            if (options.Localization && options.Regions is null)
                throw new MucmmUserException("--localization needs a --dataset that declares regions (located-mnist)");

            using var folder = output.Open(parse);
            // A model on frozen pretrained features is explained through its encoders (ExplainableRun): image views from
            // their pixels (the encoder runs inside the composed model), text views from their tokens (per-token attributions).
            using var explainable = Mucmm.Deep.Onnx.ExplainableRun.Of(m, Mucmm.Deep.Onnx.ViewEncoders.Load(runOption.ModelPath(parse)),
                data.LoadForRun(parse, run), Mucmm.Deep.Onnx.FeatureCache.Default);
            var all = explainable.Data;
            var candidates = data.SplitOf(parse) is { } split ? all.Subset(split) : all;
            options = options with { Texts = explainable.Texts };    // dataset order
            var result = Explainer.Run(explainable.Model, candidates, all.Subset(Split.Train), options, folder.TempPath);
            folder.Commit();

            Console.WriteLine($"explain: {result.Indices.Length} samples, {result.Maps.Count} scores → {folder.Target}");
            foreach (var r in result.Maps)
            {
                if (r.CompletenessErrors is not null)
                    Console.WriteLine($"  {r.Score.Name}: Integrated Gradients completeness error ≤ {100 * r.MaxRelativeCompletenessError:G3} % of |S(x) − S(baseline)|");
            }
            if (result.Randomization is not null)
                foreach (var (name, r) in result.Randomization)
                    Console.WriteLine($"  {name}: model randomization Spearman {r.Spearman:0.###} (|maps| {r.SpearmanOfMagnitudes:0.###})");
            if (result.Deletion is not null)
                foreach (var (name, d) in result.Deletion)
                    Console.WriteLine($"  {name}: deletion area ratio salient/random {d.AreaRatio:0.###}");
            foreach (var note in result.Notes) Console.WriteLine($"  note: {note}");
            foreach (var (key, list) in result.Tokens ?? new Dictionary<string, IReadOnlyList<TokenAttribution>>())
                Console.WriteLine($"  {key}: token Integrated Gradients completeness error ≤ {list.Max(a => a.CompletenessError):G3} (|S(x) − S(0)| up to {list.Max(a => Math.Abs(a.Score - a.BaselineScore)):G3})");
            if (result.Localization is not null)
                foreach (var (label, list) in result.Localization)
                    Console.WriteLine($"  localization {label}: " + string.Join("; ", list.Select(l =>
                        $"{l.Score} view{l.View} in '{l.Region}' {l.MassFraction:0.00} of |map|, pointing {l.PointingGame:0.00}")));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>The regions the built-in dataset declares per view, or null (user files, or no regions).</summary>
    private static IReadOnlyList<IReadOnlyDictionary<string, bool[]>>? RegionsOf(string? dataset)
    {
        if (dataset is null) return null;
        var views = Mucmm.Data.Datasets.DatasetCatalog.Describe(dataset).Views;
        return views.Any(v => v.Regions.Count > 0) ? views.Select(v => v.Regions).ToArray() : null;
    }

    private static IReadOnlyList<int>? ParseIndices(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var list = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) || i < 0)
                throw new MucmmUserException($"--indices: '{part}' is not a sample index (a whole number ≥ 0)");
            list.Add(i);
        }
        return list;
    }
}
