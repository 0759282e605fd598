using System.CommandLine;
using System.Globalization;
using Mucmm.Data.Datasets;

namespace Mucmm.Cli.Commands;

/// <summary><c>mucmm datasets</c>: lists the built-in datasets.</summary>
public static class DatasetsCommand
{
    public static Command Create()
    {
        var cmd = new Command("datasets",
            "List the built-in datasets: views and shapes, labels and factors, where the data comes from.\n\n" +
            "Examples:\n" +
            "  mucmm datasets\n" +
            "  mucmm export-dataset --dataset noisy-mnist --out noisy\n" +
            "  mucmm fit --model linear --dataset synthetic --out run1");
        cmd.SetAction(_ =>
        {
            Console.Out.Write(Format(DatasetCatalog.All));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>The listing: a table (name, rows, views, labels, factors) then one paragraph per dataset.</summary>
    public static string Format(IReadOnlyList<DatasetDescriptor> datasets)
    {
        var rows = new List<string[]> { new[] { "NAME", "ROWS", "VIEW 1", "VIEW 2", "LABELS", "FACTORS" } };
        foreach (var d in datasets)
        {
            rows.Add(
            [
                d.Name,
                d.NeedsFsdd ? "per --fsdd" : d.NeedsEmoji ? "per --emoji" : d.Rows.ToString("N0", CultureInfo.InvariantCulture),
                ViewText(d, 0),
                ViewText(d, 1),
                d.Labels.Count == 0 ? "-" : string.Join(", ", d.Labels),
                FactorText(d.Factors),
            ]);
        }
        int[] widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new System.Text.StringBuilder();
        foreach (var r in rows)
            text.AppendLine(string.Join("  ", r.Select((cell, c) => c == r.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        text.AppendLine();
        foreach (var d in datasets)
        {
            text.AppendLine($"{d.Name}: {d.Description}");
            if (d.ViewChoices.Count > 0)
            {
                text.AppendLine($"  views (--views, any of them, default {string.Join(",", d.Views.Select(v => v.Name))}):");
                foreach (var v in d.ViewChoices)
                    text.AppendLine($"    {v.Name} ({ViewShapeText(v)}{(v.DefaultEncoder is { } enc ? $", default encoder {enc}" : "")}): {v.Description}");
            }
            else
            {
                for (int m = 0; m < d.Views.Count; m++)
                    text.AppendLine($"  view {m + 1} '{d.Views[m].Name}' ({ViewShapeText(d.Views[m])}): {d.Views[m].Description}");
            }
            if (d.Ids.Count > 0) text.AppendLine($"  ids (exported, not probed): {string.Join(", ", d.Ids)}");
            if (d.DeepDefaults is { Settings.Count: > 0 } deep)
                text.AppendLine($"  deep fits default to: {string.Join(" ", deep.Settings.Select(s => $"{OptionNames.FlagOf(s.Key)} {s.Value}"))} (flags you give win)");
            text.AppendLine($"  split: 80/10/10 train/validation/test, fixed by --seed");
            text.AppendLine($"  source: {d.Source}");
        }
        text.AppendLine();
        text.AppendLine("Use with --dataset NAME (av-digits also needs --fsdd DIR, emoji --emoji DIR); 'mucmm export-dataset --dataset NAME --out DIR' writes it for NumPy.");
        return text.ToString();
    }

    private static string ViewText(DatasetDescriptor d, int m) =>
        m < d.Views.Count ? $"{d.Views[m].Name} {ViewShapeText(d.Views[m])}" : "-";

    /// <summary>"image 3×64×64", "spectrogram 40×64", or "text" (a text view has no numeric shape).</summary>
    private static string ViewShapeText(ViewDescriptor v) =>
        v.Kind == Mucmm.Data.ViewKind.Text ? "text" : $"{KindText(v.Kind)} {v.ShapeText}";

    private static string KindText(Mucmm.Data.ViewKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>Shortens runs like common1, common2, common3 to common1..common3.</summary>
    private static string FactorText(IReadOnlyList<string> factors)
    {
        if (factors.Count == 0) return "-";
        var groups = new List<string>();
        int i = 0;
        while (i < factors.Count)
        {
            string prefix = TrimDigits(factors[i]);
            int j = i;
            while (j + 1 < factors.Count && TrimDigits(factors[j + 1]) == prefix && prefix != factors[j + 1]) j++;
            groups.Add(j > i + 1 ? $"{factors[i]}..{factors[j]}" : string.Join(", ", factors.Skip(i).Take(j - i + 1)));
            i = j + 1;
        }
        return string.Join(", ", groups);
    }

    private static string TrimDigits(string s) => s.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9');
}
