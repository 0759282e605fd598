using System.Text;
using Mucmm.Data;
using Mucmm.Explain;
using SkiaSharp;
using static TorchSharp.torch;

namespace Mucmm.Report;

/// <summary>The report's sections drawn through the explanation code: per-token maps of text views and the atlas.</summary>
public static partial class ReportBuilder
{
    /// <summary>The tokens of each text view of <paramref name="chosen"/>, coloured by their attribution to <paramref name="score"/>.</summary>
    private static void TokenFigures(StringBuilder html, IMultiviewModel model, PairedDataset chosen, Tensor[] inputs, Score score,
        IReadOnlyList<IReadOnlyList<string>?> texts, string caption)
    {
        using var minilm = new Deep.Onnx.MiniLmEncoder();
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
    /// collapsed &lt;details&gt; block. A text view with its texts (<see cref="ReportOptions.Texts"/>) gets its token atlas
    /// (<see cref="TokenAtlas"/>, drawn by <see cref="TokenFigure.RenderAtlas"/>).
    /// </summary>
    private static void AtlasSection(StringBuilder html, IMultiviewModel model, PairedDataset test, PairedDataset train, ReportOptions options)
    {
        Open(html, "atlas", "Atlas of single variates");
        html.Append("<p>What does common variate 3 encode? For each common and individual variate of each view: its <b>pattern</b> — the regression of the view's input on the " +
                    "standardized variate over the training rows (for a linear model the column Σa of the patterns; red: inputs that are higher where the variate is high, blue: lower) — " +
                    $"and the {options.AtlasExtremes} test samples with its highest and lowest values. The first {options.AtlasVariatesShown} common and individual variates of each view are shown; " +
                    "the others are behind “more variates”.</p>\n");
        var source = train.Count >= 2 ? train : test;
        var atlas = Atlas.Compute(model, source, test, options.AtlasExtremes, options.Texts);
        for (int m = 1; m <= model.ViewCount; m++)
        {
            var view = test.Views[m - 1];
            var entries = atlas.Where(e => e.View == m).ToArray();
            if (entries.Length == 0) continue;
            html.Append($"<h3>View {m} ({E(view.Name)})</h3>\n");
            bool tokens = entries.All(e => e.Tokens is not null);
            if (view.Kind == ViewKind.Text && !tokens)
            {
                html.Append("<p class=\"note\">A text view without its texts: its atlas (patterns over words) is not drawn here.</p>\n");
                continue;
            }
            string[]? texts = tokens ? Atlas.TextsOf(options.Texts![m - 1]!, test.Indices, m - 1) : null;
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
