using System.Globalization;
using System.Text;
using Mucmm.Data;
using Mucmm.Deep.Onnx;
using Mucmm.Evaluation;
using Mucmm.Explain;
using SkiaSharp;
using static TorchSharp.torch;

namespace Mucmm.Report;

/// <summary>The report's sections drawn through the explanation code: the sample figures with their gradient maps and per-token maps of text views, and the atlas.</summary>
public static partial class ReportBuilder
{
    private static void SampleSection(StringBuilder html, ExplainableRun explainable, IReadOnlyList<Score> scores, double[][] values, ReportOptions options)
    {
        Open(html, "samples", "Top and bottom samples with their gradient maps");
        bool pretrainedImages = explainable.Encoders?.Any(e => e is not null && e != ViewEncoders.TextEncoder) == true;
        var chosenMethod = pretrainedImages ? options.PretrainedMethod : options.Method;
        var style = pretrainedImages ? MapStyle.Magnitude : MapStyle.Signed;
        string method = AttributionOptions.MethodName(chosenMethod);
        string what = chosenMethod == AttributionMethod.Pattern
            ? "pattern maps Σ∂S/∂x of every score (the gradient times the training covariance of the view's inputs: the input change typical of the data that raises the score; " +
              "red: such a change brightens the pixel, blue: darkens it)"
            : style == MapStyle.Magnitude
                ? $"{E(method)} maps of every score drawn as their magnitude |map| (summed over the colour channels) in hot colours over the dimmed input: where a change of the input changes the score most"
                : $"{E(method)} maps of every score (red: increasing the pixel raises the score, blue: lowers it)";
        html.Append($"<p>The test samples with the highest and lowest score of each kind. Each row shows the inputs and the {what}. " +
                    "Common maps should point at what both views share (e.g. the digit's shape); " +
                    "individual maps at what only one view has (e.g. rotation, noise, the speaker's voice).</p>\n");
        if (explainable.Encoders is { } encoders)
            html.Append("<p>The maps go through the frozen pretrained encoders to the views' own inputs: " +
                        E(string.Join("; ", encoders.Select((e, m) => e is null ? null : e == ViewEncoders.TextEncoder
                            ? $"view {m + 1} through {e} to its tokens (coloured text below each figure; the strip in the figure is its {MiniLmEncoder.Features} features)"
                            : $"view {m + 1} through {e} to its {string.Join(" × ", explainable.Data.Views[m].SampleShape)} pixels").Where(t => t is not null))) +
                        ".</p>\n");
        if (pretrainedImages && chosenMethod == new ReportOptions().PretrainedMethod)
            html.Append($"<p>Why {E(method)} here: {E(ReportOptions.PretrainedMethodReason)}</p>\n");
        else if (chosenMethod == AttributionOptions.Defaults.ExplainMethod)
            html.Append($"<p>Why {E(method)}: {E(AttributionOptions.Defaults.ExplainMethodReason)}</p>\n");
        var test = explainable.Data.Subset(Split.Test);
        var train = explainable.Data.Subset(Split.Train);
        int n = Math.Min(options.SamplesPerSelection, test.Count);
        using var covariance = AttributionOptions.NeedsCovariance(chosenMethod) ? InputCovariance.FromViews((train.Count >= 2 ? train : test).Views) : null;
        var attribution = new AttributionOptions { Method = chosenMethod, Covariance = covariance };
        for (int s = 0; s < scores.Count; s++)
        {
            foreach (bool top in new[] { true, false })
            {
                int[] rows = top ? SampleSelection.Top(values[s], n) : SampleSelection.Bottom(values[s], n);
                var chosen = test.Select(rows);
                using var scope = NewDisposeScope();
                var (inputs, maps) = SampleMaps(explainable.Model, chosen, scores, attribution);
                var labels = rows.Select((r, i) => RowLabel(chosen, i) + $"\n{scores[s].Name} {values[s][r].ToString("F2", CultureInfo.InvariantCulture)}").ToArray();
                string caption = $"{(top ? "Highest" : "Lowest")} {scores[s].Name} score";
                using var bitmap = ExplanationFigure.Render(chosen.Views, maps, labels, new FigureOptions { Title = caption + $" — {method} maps", Style = style });
                // The alt text says what the maps were taken of (e.g. an image view's raw pixels, not its encoder's features).
                Img(html, Encode(bitmap), $"{caption}: {method} maps on " + string.Join(", ", chosen.Views.Select((v, m) => $"view {m + 1} ({maps[0].Map(m, 0).Length} inputs)")), wide: true);
                if (s == 0 && explainable.Texts is { } texts) TokenFigures(html, explainable.Model, chosen, inputs, scores[0], texts, caption);
            }
        }
        Close(html);
    }

    /// <summary>
    /// The inputs of the rows of <paramref name="chosen"/> (as tensors, in the caller's dispose scope) and the maps of every
    /// score in <paramref name="scores"/> under <paramref name="model"/> (the explainable model: its inputs are what
    /// <paramref name="chosen"/> holds, e.g. the raw pixels). The report's sample figures draw exactly these.
    /// </summary>
    internal static (Tensor[] Inputs, AttributionResult[] Maps) SampleMaps(IMultiviewModel model, PairedDataset chosen, IReadOnlyList<Score> scores,
        AttributionOptions attribution)
    {
        var inputs = chosen.Views.Select(v => Representations.Slice(v, 0, v.Rows)).ToArray();
        attribution = attribution with { SampleShapes = chosen.Views.Select(v => v.SampleShape).ToArray() };
        return (inputs, scores.Select(sc => Attributions.Compute(model, sc, inputs, attribution)).ToArray());
    }

    /// <summary>"#index", and the row's name (e.g. an emoji's) when the data notes one, shortened to fit the label column.</summary>
    private static string RowLabel(PairedDataset chosen, int i)
    {
        string label = $"#{chosen.Indices[i]}";
        if (chosen.Notes.TryGetValue("name", out var names) && names[i] is { Length: > 0 } name)
            label += "\n" + (name.Length > 18 ? name[..17] + "…" : name);
        return label;
    }

    /// <summary>The tokens of each text view of <paramref name="chosen"/>, coloured by their attribution to <paramref name="score"/>.</summary>
    private static void TokenFigures(StringBuilder html, IMultiviewModel model, PairedDataset chosen, Tensor[] inputs, Score score,
        IReadOnlyList<IReadOnlyList<string>?> texts, string caption)
    {
        using var minilm = new MiniLmEncoder();
        for (int m = 0; m < texts.Count && m < model.ViewCount; m++)
        {
            if (texts[m] is not { } all) continue;
            var rows = chosen.Indices.Select(i => all[i]).ToArray();
            var attributions = TokenAttributions.Compute(model, score, inputs, m, minilm, rows);
            using var figure = TokenFigure.Render(attributions, chosen.Indices.Select(i => $"#{i}").ToArray(),
                $"{caption} — tokens of view {m + 1} coloured by their attribution to {score.Name} (blue < 0 < red)");
            Img(html, Encode(figure), $"{caption}: tokens of view {m + 1}", wide: true);
        }
    }

    /// <summary>
    /// The atlas of single variates (<see cref="Atlas"/>), computed here from the run's model and data
    /// (the report does not depend on an earlier <c>mucmm explain --atlas</c>): per view, the first
    /// <see cref="ReportOptions.AtlasVariatesShown"/> common and individual variates open, the rest in a
    /// collapsed &lt;details&gt; block. A text view with its texts (<see cref="ExplainableRun.Texts"/>) gets its token atlas
    /// (<see cref="TokenAtlas"/>, drawn by <see cref="TokenFigure.RenderAtlas"/>).
    /// </summary>
    private static void AtlasSection(StringBuilder html, IMultiviewModel model, PairedDataset test, PairedDataset train, ReportOptions options, ExplainableRun explainable)
    {
        Open(html, "atlas", "Atlas of single variates");
        html.Append("<p>What does common variate 3 encode? For each common and individual variate of each view: its <b>pattern</b> — the regression of the view's input on the " +
                    "standardized variate over the training rows (for a linear model the column Σa of the patterns; red: inputs that are higher where the variate is high, blue: lower) — " +
                    $"and the {options.AtlasExtremes} test samples with its highest and lowest values. The first {options.AtlasVariatesShown} common and individual variates of each view are shown; " +
                    "the others are behind “more variates”.</p>\n");
        if (explainable.Data.Views.Any(v => v.Kind == ViewKind.Image && v.SampleShape is [3, _, _]))
            html.Append("<p>A colour image view's pattern is drawn in colour: mid-grey is 0, and each channel is brighter where that colour is stronger in samples with a high value of the variate " +
                        "(darker where it is weaker), scaled by the pattern's largest |value| (printed beside it)." +
                        (explainable.HasEncoders ? " For a view the model takes as pretrained features, the pattern regresses the raw pixels on the variate: what the drawings with high values look like, not what the network computes." : "") +
                        "</p>\n");
        // The variates come from the model on its inputs (the cached features of a pretrained view); the patterns regress
        // the views' own inputs (an image view's raw pixels, drawn in colour) on them, and the extremes show those inputs.
        bool useTrain = train.Count >= 2;
        var source = useTrain ? train : test;
        var rawTest = explainable.Data.Subset(Split.Test);
        var rawSource = useTrain ? explainable.Data.Subset(Split.Train) : rawTest;
        var atlas = Atlas.Compute(model, source, test, options.AtlasExtremes, rawSource.Views, explainable.Texts);
        for (int m = 1; m <= model.ViewCount; m++)
        {
            var view = rawTest.Views[m - 1];
            var entries = atlas.Where(e => e.View == m).ToArray();
            if (entries.Length == 0) continue;
            html.Append($"<h3>View {m} ({E(view.Name)})</h3>\n");
            bool tokens = entries.All(e => e.Tokens is not null);
            if ((view.Kind == ViewKind.Text || explainable.Encoders?[m - 1] == ViewEncoders.TextEncoder) && !tokens)
            {
                html.Append("<p class=\"note\">A text view without its texts: its atlas (patterns over words) is not drawn here.</p>\n");
                continue;
            }
            string[]? texts = tokens ? Atlas.TextsOf(explainable.Texts![m - 1]!, test.Indices, m - 1) : null;
            if (tokens)
                html.Append("<p>A text view: each variate's pattern is over <b>words</b> — the regression of “word t is in the text” on the variate over the training rows " +
                            "(red: the word is more frequent where the variate is high, blue: where it is low; the largest |weight| first) — then the test texts with its highest and lowest values.</p>\n");
            SKBitmap Draw(AtlasEntry[] part) => texts is not null
                ? TokenFigure.RenderAtlas(part, texts, $"token atlas of view {m} ({view.Name}): words going with each variate (red: where it is high, blue: low); test texts at its extremes")
                : ExplanationFigure.RenderAtlas(view, part);
            var shown = entries.Where(e => e.Index <= options.AtlasVariatesShown).ToArray();
            var rest = entries.Where(e => e.Index > options.AtlasVariatesShown).ToArray();
            if (shown.Length > 0)
            {
                using var bitmap = Draw(shown);
                Img(html, Encode(bitmap), $"atlas of view {m}", wide: true);
            }
            if (rest.Length > 0)
            {
                html.Append($"<details><summary>{rest.Length} more variates of view {m}</summary>\n");
                using var bitmap = Draw(rest);
                Img(html, Encode(bitmap), $"atlas of view {m}, further variates", wide: true);
                html.Append("</details>\n");
            }
        }
        Close(html);
    }
}
