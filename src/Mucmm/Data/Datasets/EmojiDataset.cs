using System.Globalization;
using System.Text;
using System.Text.Json;
using Mucmm.Data.Readers;

namespace Mucmm.Data.Datasets;

/// <summary>One view <c>emoji</c> can build: a design team's drawings or a language's names.</summary>
/// <param name="Name">The view's name as given in the list of views, e.g. "google" or "de".</param>
/// <param name="Kind"><see cref="ViewKind.Image"/> (drawings) or <see cref="ViewKind.Text"/> (names).</param>
/// <param name="Folder">The subfolder of the drawings ("google-64") or the language code of the annotations ("de").</param>
/// <param name="Description">What the view holds, in one line.</param>
/// <param name="DefaultEncoder">The pretrained encoder the view gets unless the user chooses one: "resnet18" or "minilm".</param>
public sealed record EmojiViewSpec(string Name, ViewKind Kind, string Folder, string Description, string DefaultEncoder);

/// <summary>
/// <c>emoji</c>: about 1,900 emoji, each drawn by two independent design teams (Google Noto, Twemoji) and named in
/// six languages (CLDR annotations), read from a folder the user names (never part of the project).
/// </summary>
/// <remarks>
/// <para>Folder layout (../shared/data/emoji/README.md): <c>emoji.json</c> (iamcal/emoji-data: one record per emoji
/// with <c>unified</c> code points, <c>image</c>, <c>name</c>, <c>category</c>, <c>subcategory</c>,
/// <c>sort_order</c>, <c>skin_variations</c>), <c>google-64/</c> and <c>twitter-64/</c> (64×64 RGBA PNG per
/// emoji and skin-tone variant), <c>annotations/{lang}/annotations.json</c> and
/// <c>annotationsDerived/{lang}/annotations.json</c> (CLDR: <c>tts</c> short name and <c>default</c> keywords,
/// keyed by the emoji's characters, tried with and without U+FE0F).</para>
/// <para>Rows: every record of <c>emoji.json</c> whose category is not <c>Component</c>, by <c>sort_order</c>;
/// with skin tones, each such emoji is followed by its <c>skin_variations</c> (ordinal order of their keys). The
/// rows never depend on the chosen views: a chosen view that lacks a drawing or a name for any row is an error
/// naming the folder or file and how many are missing (no row is dropped silently), so runs on different views of
/// one folder share their rows and split.</para>
/// <para>Views (<see cref="Views"/>): drawings composited on white, RGB in [0, 1], sample shape [3, 64, 64]
/// (<see cref="ImageManifest.LoadRgbOnWhite"/>); names as "short name: keyword, keyword, …" (the annotation's
/// first <c>tts</c>, then its <c>default</c> keywords in file order).</para>
/// <para>Labels "category" (9) and "subcategory" (≈ 100), coded in order of first appearance by
/// <c>sort_order</c> (names in <see cref="PairedDataset.LabelNames"/>). Id "base": the row of the row's base emoji
/// (itself for a base emoji). Notes "name" (<c>emoji.json</c>'s name; a skin-tone variant adds ": LIGHT SKIN
/// TONE" etc.) and "code_points" (<c>unified</c>, e.g. 1F385-1F3FB).</para>
/// <para>Split: 80/10/10 of the base emoji at random from the seed (<see cref="DatasetSplits.Random"/>); a
/// skin-tone variant is in its base emoji's split, so a base emoji has the same split with and without skin
/// tones.</para>
/// </remarks>
public static class EmojiDataset
{
    /// <summary>Dataset name.</summary>
    public const string Name = "emoji";

    /// <summary>Side of the drawings in pixels.</summary>
    public const int ImageSide = 64;

    /// <summary>Sample shape of an image view: [3, 64, 64] (RGB planes).</summary>
    public static int[] ImageShape => [3, ImageSide, ImageSide];

    /// <summary>The category <c>emoji.json</c> gives skin-tone swatches and hair components; never a row.</summary>
    public const string ComponentCategory = "Component";

    /// <summary>Every view the dataset can build, in the order the listing shows them.</summary>
    public static IReadOnlyList<EmojiViewSpec> Views { get; } =
    [
        new("google", ViewKind.Image, "google-64", "Google Noto Color Emoji drawing, RGB composited on white", "resnet18"),
        new("twitter", ViewKind.Image, "twitter-64", "Twemoji drawing, RGB composited on white", "resnet18"),
        .. new[] { ("en", "English"), ("de", "German"), ("fr", "French"), ("es", "Spanish"), ("ja", "Japanese"), ("zh", "Chinese") }
            .Select(l => new EmojiViewSpec(l.Item1, ViewKind.Text, l.Item1,
                $"{l.Item2} CLDR name: \"short name: keyword, keyword, …\"", "minilm")),
    ];

    /// <summary>
    /// The dataset's own deep-model defaults (<see cref="DatasetDescriptor.DeepDefaults"/>): k = 30 common variates
    /// (retrieval and the category probe are cramped in the general k = 10), Gaussian feature noise 0.7 on the frozen
    /// features (a ridge-like regularizer: 1,524 training rows against 512 + 384 feature columns overfit), and 100
    /// epochs (the noisier training needs more; early stopping still applies). Chosen on seeds not reported
    /// (docs/results.md, "emoji: deep MUCMM with its defaults").
    /// </summary>
    public static DeepDefaults DeepDefaults { get; } = new() { CommonDim = 30, Epochs = 100, FeatureNoise = 0.7 };

    /// <summary>The views built when none are chosen: google, en.</summary>
    public static IReadOnlyList<string> DefaultViews { get; } = ["google", "en"];

    /// <summary>
    /// The chosen views, checked: null or empty gives <see cref="DefaultViews"/>; names are matched
    /// case-insensitively and made canonical. Throws <see cref="MucmmUserException"/> for an unknown name, a name
    /// given twice, or fewer than two views.
    /// </summary>
    public static IReadOnlyList<EmojiViewSpec> ResolveViews(IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0) names = DefaultViews;
        var chosen = new List<EmojiViewSpec>();
        foreach (string raw in names)
        {
            string name = raw.Trim();
            var spec = Views.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new MucmmUserException($"unknown emoji view '{name}' in the views; known views: {string.Join(", ", Views.Select(v => v.Name))}");
            if (chosen.Contains(spec))
                throw new MucmmUserException($"emoji view '{spec.Name}' is given twice in the views; name each view once");
            chosen.Add(spec);
        }
        if (chosen.Count < 2)
            throw new MucmmUserException($"emoji needs at least 2 views, got {chosen.Count} ({string.Join(", ", chosen.Select(v => v.Name))}); e.g. google,en");
        return chosen;
    }

    /// <summary>
    /// Builds the dataset from the folder <paramref name="emojiDir"/> with the views <paramref name="views"/>
    /// (null: google, en), skin-tone variants as rows when <paramref name="skinTones"/>, split from
    /// <paramref name="seed"/>. Throws <see cref="MucmmUserException"/> naming the folder or file when the folder
    /// is missing or partial (emoji.json, a drawing or a language's annotations absent), or a view name is bad.
    /// </summary>
    public static PairedDataset Create(string? emojiDir, IReadOnlyList<string>? views = null, bool skinTones = false, int seed = 0)
    {
        var specs = ResolveViews(views);
        if (string.IsNullOrWhiteSpace(emojiDir))
            throw new MucmmUserException("emoji reads its drawings and names from a folder you name: set DatasetOptions.EmojiDir (DIR/emoji.json, DIR/google-64/, DIR/annotations/…)");
        if (!Directory.Exists(emojiDir))
            throw new MucmmUserException(emojiDir, "emoji folder not found (DatasetOptions.EmojiDir must hold emoji.json, google-64/, twitter-64/, annotations/ and annotationsDerived/)");

        var rows = ReadRows(Path.Combine(emojiDir, "emoji.json"), skinTones);
        int n = rows.Count;

        var categories = Codes(rows.Select(r => r.Category));
        var subcategories = Codes(rows.Select(r => r.Subcategory));
        int[] baseRow = new int[n];
        var baseIndex = new List<int>();          // row of each base emoji
        var baseOf = new int[n];                  // which base emoji (0-based among bases) each row belongs to
        for (int i = 0; i < n; i++)
        {
            if (rows[i].IsBase) baseIndex.Add(i);
            baseOf[i] = baseIndex.Count - 1;
            baseRow[i] = baseIndex[^1];
        }
        Split[] baseSplits = DatasetSplits.Random(baseIndex.Count, seed);
        var splits = baseOf.Select(b => baseSplits[b]).ToArray();

        var built = new View[specs.Count];
        for (int m = 0; m < specs.Count; m++)
            built[m] = specs[m].Kind == ViewKind.Image ? Drawings(emojiDir, specs[m], rows) : Names(emojiDir, specs[m], rows);

        return new PairedDataset(
            Name,
            built,
            splits,
            labels: new Dictionary<string, int[]> { ["category"] = categories.Codes, ["subcategory"] = subcategories.Codes },
            description: $"emoji from {emojiDir}: {string.Join(", ", specs.Select(s => s.Name))}{(skinTones ? " (with skin tones)" : "")}",
            labelNames: new Dictionary<string, string[]> { ["category"] = categories.Names, ["subcategory"] = subcategories.Names },
            ids: new Dictionary<string, int[]> { ["base"] = baseRow },
            notes: new Dictionary<string, string[]>
            {
                ["name"] = rows.Select(r => r.Name).ToArray(),
                ["code_points"] = rows.Select(r => r.Unified).ToArray(),
            });
    }

    /// <summary>The characters of <paramref name="unified"/> (hex code points joined by '-'), e.g. "1F600" → "😀".</summary>
    public static string Characters(string unified)
    {
        ArgumentNullException.ThrowIfNull(unified);
        var text = new StringBuilder();
        foreach (string hex in unified.Split('-'))
            text.Append(char.ConvertFromUtf32(int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
        return text.ToString();
    }

    private sealed record EmojiRow(string Unified, string Image, string Name, string Category, string Subcategory, bool IsBase);

    private static readonly Dictionary<string, string> ToneNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["1F3FB"] = "LIGHT SKIN TONE",
        ["1F3FC"] = "MEDIUM-LIGHT SKIN TONE",
        ["1F3FD"] = "MEDIUM SKIN TONE",
        ["1F3FE"] = "MEDIUM-DARK SKIN TONE",
        ["1F3FF"] = "DARK SKIN TONE",
    };

    private static List<EmojiRow> ReadRows(string path, bool skinTones)
    {
        if (!File.Exists(path))
            throw new MucmmUserException(path, "not found: the emoji folder needs emoji.json (the records of iamcal/emoji-data)");
        JsonDocument doc;
        try
        {
            using var stream = ReaderIO.OpenRead(path);
            doc = JsonDocument.Parse(stream);
        }
        catch (JsonException ex)
        {
            throw new MucmmUserException(path, $"not valid JSON ({ex.Message.Split('\n')[0]})");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                throw new MucmmUserException(path, "expected a JSON array of emoji records");
            var records = new List<(int Order, EmojiRow Base, List<EmojiRow> Variants)>();
            int index = 0;
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                string Field(JsonElement el, string name) =>
                    el.ValueKind == JsonValueKind.Object && el.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
                        ? s : throw new MucmmUserException(path, $"record {index} has no '{name}' text");
                string category = Field(e, "category");
                if (category == ComponentCategory) { index++; continue; }
                if (!e.TryGetProperty("sort_order", out var so) || !so.TryGetInt32(out int order))
                    throw new MucmmUserException(path, $"record {index} has no integer 'sort_order'");
                string name = Field(e, "name"), subcategory = Field(e, "subcategory");
                var base_ = new EmojiRow(Field(e, "unified"), Field(e, "image"), name, category, subcategory, true);
                var variants = new List<EmojiRow>();
                if (skinTones && e.TryGetProperty("skin_variations", out var sv) && sv.ValueKind == JsonValueKind.Object)
                {
                    foreach (var tone in sv.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                    {
                        string toneName = string.Join(", ", tone.Name.Split('-').Select(t => ToneNames.GetValueOrDefault(t, "SKIN TONE " + t)));
                        variants.Add(new EmojiRow(Field(tone.Value, "unified"), Field(tone.Value, "image"), $"{name}: {toneName}", category, subcategory, false));
                    }
                }
                records.Add((order, base_, variants));
                index++;
            }
            if (records.Count == 0)
                throw new MucmmUserException(path, "holds no emoji outside the Component category");
            var rows = new List<EmojiRow>();
            foreach (var r in records.OrderBy(r => r.Order).ThenBy(r => r.Base.Unified, StringComparer.Ordinal))
            {
                rows.Add(r.Base);
                rows.AddRange(r.Variants);
            }
            return rows;
        }
    }

    private static (int[] Codes, string[] Names) Codes(IEnumerable<string> values)
    {
        var names = new List<string>();
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        var codes = new List<int>();
        foreach (string v in values)
        {
            if (!map.TryGetValue(v, out int code)) { code = map[v] = names.Count; names.Add(v); }
            codes.Add(code);
        }
        return (codes.ToArray(), names.ToArray());
    }

    private static View Drawings(string dir, EmojiViewSpec spec, List<EmojiRow> rows)
    {
        string folder = Path.Combine(dir, spec.Folder);
        if (!Directory.Exists(folder))
            throw new MucmmUserException(folder, $"folder not found: emoji view '{spec.Name}' reads its drawings from {spec.Folder}/{{image}}.png");
        var missing = rows.Where(r => !File.Exists(Path.Combine(folder, r.Image))).ToArray();
        if (missing.Length > 0)
            throw new MucmmUserException(folder,
                $"{missing.Length} of {rows.Count} drawings missing for emoji view '{spec.Name}' (first: {missing[0].Image}, {missing[0].Name}); the folder is incomplete");
        int size = 3 * ImageSide * ImageSide;
        var data = new double[rows.Count * size];
        var shape = new ImageSize(ImageSide, ImageSide);
        try
        {
            Parallel.For(0, rows.Count, i => ImageManifest.LoadRgbOnWhite(Path.Combine(folder, rows[i].Image), shape).CopyTo(data, i * size));
        }
        catch (AggregateException ex) when (ex.InnerExceptions.OfType<MucmmUserException>().FirstOrDefault() is { } user)
        {
            throw user;
        }
        return new View(spec.Name, ViewKind.Image, ImageShape, data);
    }

    private static View Names(string dir, EmojiViewSpec spec, List<EmojiRow> rows)
    {
        string basePath = Path.Combine(dir, "annotations", spec.Folder, "annotations.json");
        string derivedPath = Path.Combine(dir, "annotationsDerived", spec.Folder, "annotations.json");
        var annotations = ReadAnnotations(basePath, "annotations", spec.Name);
        var derived = ReadAnnotations(derivedPath, "annotationsDerived", spec.Name);
        var texts = new string[rows.Count];
        var missing = new List<EmojiRow>();
        for (int i = 0; i < rows.Count; i++)
        {
            string chars = Characters(rows[i].Unified);
            var found = Lookup(annotations, chars) ?? Lookup(derived, chars);
            if (found is null) missing.Add(rows[i]);
            else texts[i] = found.Value.Keywords.Count == 0 ? found.Value.ShortName : $"{found.Value.ShortName}: {string.Join(", ", found.Value.Keywords)}";
        }
        if (missing.Count > 0)
            throw new MucmmUserException(basePath,
                $"language '{spec.Name}' has no annotation (tts short name, here or in annotationsDerived/{spec.Folder}/annotations.json) for {missing.Count} of {rows.Count} emoji " +
                $"(first: {missing[0].Unified} {missing[0].Name}); every emoji needs a name in each chosen language");
        return View.FromTexts(spec.Name, texts);
    }

    private static (string ShortName, IReadOnlyList<string> Keywords)? Lookup(Dictionary<string, (string, IReadOnlyList<string>)> table, string chars)
    {
        if (table.TryGetValue(chars, out var hit)) return hit;
        string bare = chars.Replace("\uFE0F", "", StringComparison.Ordinal);
        return table.TryGetValue(bare, out hit) ? hit : null;
    }

    /// <summary>The annotations of one CLDR file by key; entries without a <c>tts</c> short name are left out (they count as missing).</summary>
    private static Dictionary<string, (string, IReadOnlyList<string>)> ReadAnnotations(string path, string rootName, string view)
    {
        if (!File.Exists(path))
            throw new MucmmUserException(path, $"not found: emoji view '{view}' reads the CLDR {rootName} of its language from this file");
        JsonDocument doc;
        try
        {
            using var stream = ReaderIO.OpenRead(path);
            doc = JsonDocument.Parse(stream);
        }
        catch (JsonException ex)
        {
            throw new MucmmUserException(path, $"not valid JSON ({ex.Message.Split('\n')[0]})");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty(rootName, out var root) || root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("annotations", out var table) || table.ValueKind != JsonValueKind.Object)
                throw new MucmmUserException(path, $"expected a CLDR annotations file ({{\"{rootName}\": {{\"annotations\": {{…}}}}}})");
            var result = new Dictionary<string, (string, IReadOnlyList<string>)>(StringComparer.Ordinal);
            foreach (var entry in table.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Object) continue;
                string? tts = entry.Value.TryGetProperty("tts", out var t) && t.ValueKind == JsonValueKind.Array
                    ? t.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()).FirstOrDefault(s => !string.IsNullOrWhiteSpace(s))
                    : null;
                if (tts is null) continue;
                var keywords = entry.Value.TryGetProperty("default", out var d) && d.ValueKind == JsonValueKind.Array
                    ? d.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).Where(s => s.Length > 0).ToArray()
                    : [];
                result[entry.Name] = (tts.Trim(), keywords);
            }
            return result;
        }
    }
}
