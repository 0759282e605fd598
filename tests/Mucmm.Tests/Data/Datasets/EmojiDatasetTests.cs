using System.Text.Json;
using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Data.Datasets;
using SkiaSharp;
using Xunit;

namespace Mucmm.Tests.Data.Datasets;

/// <summary>
/// A small emoji folder built in a temporary directory, laid out like ../shared/data/emoji (README there): emoji.json,
/// google-64/ and twitter-64/ PNGs (RGBA, 64×64), annotations/ and annotationsDerived/ for en and de. So the
/// dataset's rules and its bad-input errors are tested on a bare clone too.
/// </summary>
internal sealed class SyntheticEmojiFolder
{
    /// <summary>The RGBA colour of every pixel of the drawing of base emoji <c>b</c> by team <c>t</c> (0 google, 1 twitter): distinct per emoji and team, alpha below 255 so compositing shows.</summary>
    public static (byte R, byte G, byte B, byte A) Colour(int b, int team) => ((byte)(10 * b + 3), (byte)(200 - 7 * b), (byte)(40 + 100 * team), (byte)(128 + b));

    /// <summary>Number of base emoji (outside Component); the folder also holds one Component record.</summary>
    public const int Bases = 12;

    /// <summary>Base emoji with skin tones (two variants each: 1F3FB and 1F3FF).</summary>
    public static readonly int[] WithTones = [2, 5];

    public string Root { get; }

    private SyntheticEmojiFolder(string root) => Root = root;

    /// <summary>Base emoji b has code point U+1F600 + b, sort order <c>Bases − b</c> (so the file order is reversed), category "Cat{b % 3}" and subcategory "sub{b % 4}".</summary>
    public static string Unified(int b) => (0x1F600 + b).ToString("X");

    public static SyntheticEmojiFolder Create()
    {
        var folder = new SyntheticEmojiFolder(TestPaths.NewTempDir());
        string root = folder.Root;
        var records = new JsonArray();
        foreach (string team in new[] { "google-64", "twitter-64" }) Directory.CreateDirectory(Path.Combine(root, team));
        for (int b = 0; b < Bases; b++)
        {
            string u = Unified(b);
            var record = new JsonObject
            {
                ["name"] = $"EMOJI {b}",
                ["unified"] = u,
                ["image"] = u.ToLowerInvariant() + ".png",
                ["category"] = $"Cat{b % 3}",
                ["subcategory"] = $"sub{b % 4}",
                ["sort_order"] = Bases - b,
            };
            if (WithTones.Contains(b))
            {
                var tones = new JsonObject();
                foreach (string tone in new[] { "1F3FF", "1F3FB" })   // unsorted on purpose
                    tones[tone] = new JsonObject { ["unified"] = $"{u}-{tone}", ["image"] = $"{u}-{tone}".ToLowerInvariant() + ".png" };
                record["skin_variations"] = tones;
            }
            records.Add(record);
        }
        records.Add(new JsonObject
        {
            ["name"] = "EMOJI MODIFIER FITZPATRICK TYPE-1-2", ["unified"] = "1F3FB", ["image"] = "1f3fb.png",
            ["category"] = "Component", ["subcategory"] = "skin-tone", ["sort_order"] = 0,
        });
        File.WriteAllText(Path.Combine(root, "emoji.json"), records.ToJsonString());

        for (int b = 0; b < Bases; b++)
            for (int t = 0; t < 2; t++)
            {
                string dir = Path.Combine(root, t == 0 ? "google-64" : "twitter-64");
                WritePng(Path.Combine(dir, Unified(b).ToLowerInvariant() + ".png"), Colour(b, t), transparentCorner: true);
                if (WithTones.Contains(b))
                    foreach (string tone in new[] { "1f3fb", "1f3ff" })
                        WritePng(Path.Combine(dir, $"{Unified(b).ToLowerInvariant()}-{tone}.png"), (0, 0, 0, 255), transparentCorner: true);
            }
        WritePng(Path.Combine(root, "google-64", "1f3fb.png"), (0, 0, 0, 255), false);

        foreach (string lang in new[] { "en", "de" })
        {
            var main = new JsonObject();
            var derived = new JsonObject();
            for (int b = 0; b < Bases; b++)
            {
                string chars = EmojiDataset.Characters(Unified(b));
                // Emoji 3 is keyed with a variation selector in the data but without one in CLDR (the README's note);
                // emoji 4 is only in annotationsDerived; emoji 6 has a short name and no keywords.
                var entry = new JsonObject { ["tts"] = new JsonArray($"{lang} name {b}") };
                if (b != 6) entry["default"] = new JsonArray($"{lang}kw{b}a", $"{lang}kw{b}b");
                (b == 4 ? derived : main)[chars] = entry;
                if (WithTones.Contains(b))
                    foreach (string tone in new[] { "1F3FB", "1F3FF" })
                        derived[EmojiDataset.Characters($"{Unified(b)}-{tone}")] = new JsonObject
                        {
                            ["tts"] = new JsonArray($"{lang} name {b} {tone}"), ["default"] = new JsonArray("tone"),
                        };
            }
            WriteJson(Path.Combine(root, "annotations", lang, "annotations.json"), "annotations", main);
            WriteJson(Path.Combine(root, "annotationsDerived", lang, "annotations.json"), "annotationsDerived", derived);
        }
        // Emoji 3's record carries U+FE0F after its code point; CLDR's key (written above) does not.
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "emoji.json")))!.AsArray();
        json[3]!["unified"] = Unified(3) + "-FE0F";
        File.WriteAllText(Path.Combine(root, "emoji.json"), json.ToJsonString());
        return folder;
    }

    /// <summary>The annotation file of <paramref name="lang"/> (not derived).</summary>
    public string AnnotationFile(string lang) => Path.Combine(Root, "annotations", lang, "annotations.json");

    /// <summary>Removes the annotation of base emoji <paramref name="b"/> from <paramref name="lang"/>'s main file.</summary>
    public void DropAnnotation(string lang, int b)
    {
        string path = AnnotationFile(lang);
        var doc = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.True(doc["annotations"]!["annotations"]!.AsObject().Remove(EmojiDataset.Characters(Unified(b))));
        File.WriteAllText(path, doc.ToJsonString());
    }

    private static void WriteJson(string path, string rootName, JsonObject table)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var doc = new JsonObject { [rootName] = new JsonObject { ["identity"] = new JsonObject { ["language"] = "xx" }, ["annotations"] = table } };
        File.WriteAllText(path, doc.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    /// <summary>A 64×64 RGBA PNG of one colour; with <paramref name="transparentCorner"/> pixel (0, 0) is fully transparent.</summary>
    private static void WritePng(string path, (byte R, byte G, byte B, byte A) c, bool transparentCorner)
    {
        var info = new SKImageInfo(64, 64, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var pixels = new byte[64 * 64 * 4];
        for (int p = 0; p < 64 * 64; p++) (pixels[4 * p], pixels[4 * p + 1], pixels[4 * p + 2], pixels[4 * p + 3]) = (c.R, c.G, c.B, c.A);
        if (transparentCorner) (pixels[0], pixels[1], pixels[2], pixels[3]) = (255, 0, 0, 0);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var stream = File.Create(path);
        data.SaveTo(stream);
    }
}

public class EmojiDatasetTests
{
    /// <summary>
    /// Oracle: the synthetic folder's construction. Rows are the 12 non-Component records in sort order (the reverse of
    /// the file order); texts are "tts: keyword, keyword" (found with and without U+FE0F, in annotationsDerived, and
    /// without keywords); labels are coded by first appearance; notes carry the record's name and code points.
    /// </summary>
    [Fact]
    public void Synthetic_folder_gives_the_documented_rows_texts_labels_and_notes()
    {
        var folder = SyntheticEmojiFolder.Create();
        var data = EmojiDataset.Create(folder.Root, ["google", "en", "de"], seed: 0);
        int n = SyntheticEmojiFolder.Bases;
        Assert.Equal("emoji", data.Name);
        Assert.Equal(n, data.Count);
        Assert.Equal(["google", "en", "de"], data.Views.Select(v => v.Name));
        Assert.Equal([ViewKind.Image, ViewKind.Text, ViewKind.Text], data.Views.Select(v => v.Kind));
        Assert.Equal([3, 64, 64], data.Views[0].SampleShape);
        int[] bases = Enumerable.Range(0, n).Reverse().ToArray();   // sort order = Bases − b
        Assert.Equal(bases.Select(b => $"EMOJI {b}"), data.Notes["name"]);
        Assert.Equal(bases.Select(b => b == 3 ? SyntheticEmojiFolder.Unified(b) + "-FE0F" : SyntheticEmojiFolder.Unified(b)), data.Notes["code_points"]);
        Assert.Equal(bases.Select(b => b == 6 ? "en name 6" : $"en name {b}: enkw{b}a, enkw{b}b"), data.Views[1].Texts!);
        Assert.Equal(bases.Select(b => b == 6 ? "de name 6" : $"de name {b}: dekw{b}a, dekw{b}b"), data.Views[2].Texts!);
        // Category of row i is Cat{b % 3}: first appearances b = 11 (Cat2), 10 (Cat1), 9 (Cat0).
        Assert.Equal(["Cat2", "Cat1", "Cat0"], data.LabelNames["category"]);
        Assert.Equal(bases.Select(b => $"Cat{b % 3}"), data.Labels["category"].Select(c => data.LabelNames["category"][c]));
        Assert.Equal(bases.Select(b => $"sub{b % 4}"), data.Labels["subcategory"].Select(c => data.LabelNames["subcategory"][c]));
        Assert.Equal(Enumerable.Range(0, n), data.Ids["base"]);
        Assert.Equal(DatasetSplits.Random(n, 0), data.Splits);
    }

    /// <summary>
    /// Oracle: compositing on white, value = (α·c + 255·(255 − α)) / 255², applied by hand to the colour each PNG was
    /// written with (PNG is lossless); the transparent corner pixel is white (1, 1, 1). Tolerance 1e-12 (one division).
    /// </summary>
    [Fact]
    public void Drawings_are_rgb_planes_composited_on_white()
    {
        var folder = SyntheticEmojiFolder.Create();
        var data = EmojiDataset.Create(folder.Root, ["twitter", "google"], seed: 0);
        const int plane = 64 * 64;
        for (int i = 0; i < data.Count; i++)
        {
            int b = SyntheticEmojiFolder.Bases - 1 - i;
            for (int v = 0; v < 2; v++)
            {
                var (r, g, bl, a) = SyntheticEmojiFolder.Colour(b, team: v == 0 ? 1 : 0);
                var row = data.Views[v].Row(i);
                double[] expected = [r, g, bl];
                for (int c = 0; c < 3; c++)
                {
                    Assert.Equal(1.0, row[c * plane], 12);   // pixel (0, 0): transparent
                    double want = (a * expected[c] + 255.0 * (255 - a)) / (255.0 * 255.0);
                    Assert.Equal(want, row[c * plane + 64 * 10 + 20], 12);
                    Assert.Equal(want, row[c * plane + plane - 1], 12);
                }
            }
        }
    }

    /// <summary>
    /// Oracle: the folder's construction (emoji 2 and 5 have variants 1F3FB and 1F3FF). Variants follow their base in
    /// the ordinal order of their keys, share its split for every seed tried, point to it with "base", and a base emoji
    /// has the same split as without skin tones.
    /// </summary>
    [Fact]
    public void Skin_tone_variants_follow_their_base_and_share_its_split()
    {
        var folder = SyntheticEmojiFolder.Create();
        for (int seed = 0; seed < 5; seed++)
        {
            var plain = EmojiDataset.Create(folder.Root, ["google", "en"], skinTones: false, seed: seed);
            var toned = EmojiDataset.Create(folder.Root, ["google", "en"], skinTones: true, seed: seed);
            Assert.Equal(SyntheticEmojiFolder.Bases + 2 * SyntheticEmojiFolder.WithTones.Length, toned.Count);
            var baseRows = Enumerable.Range(0, toned.Count).Where(i => toned.Ids["base"][i] == i).ToArray();
            Assert.Equal(plain.Notes["code_points"], baseRows.Select(i => toned.Notes["code_points"][i]));
            Assert.Equal(plain.Splits, baseRows.Select(i => toned.Splits[i]));
            for (int i = 0; i < toned.Count; i++)
            {
                int b = toned.Ids["base"][i];
                Assert.Equal(toned.Splits[b], toned.Splits[i]);
                Assert.Equal(toned.Labels["category"][b], toned.Labels["category"][i]);
            }
        }
        var data = EmojiDataset.Create(folder.Root, ["google", "en"], skinTones: true);
        int row = Array.IndexOf(data.Notes["code_points"], SyntheticEmojiFolder.Unified(5));
        Assert.Equal([$"{SyntheticEmojiFolder.Unified(5)}-1F3FB", $"{SyntheticEmojiFolder.Unified(5)}-1F3FF"], data.Notes["code_points"].Skip(row + 1).Take(2));
        Assert.Equal(["EMOJI 5: LIGHT SKIN TONE", "EMOJI 5: DARK SKIN TONE"], data.Notes["name"].Skip(row + 1).Take(2));
        Assert.Equal(["en name 5 1F3FB: tone", "en name 5 1F3FF: tone"], data.Views[1].Texts!.Skip(row + 1).Take(2));
        Assert.Equal([row, row], data.Ids["base"].Skip(row + 1).Take(2));
        Assert.All(Enumerable.Range(0, 3 * 64 * 64).Where(j => j % 4096 != 0), j => Assert.Equal(0.0, data.Views[0].Row(row + 1)[j]));
    }

    [Fact]
    public void Missing_or_partial_folder_is_one_line_naming_the_folder_or_file()
    {
        Assert.Contains("DatasetOptions.EmojiDir", Assert.Throws<MucmmUserException>(() => EmojiDataset.Create(null)).Message);
        string missing = Path.Combine(TestPaths.NewTempDir(), "nope");
        Assert.StartsWith(missing, Assert.Throws<MucmmUserException>(() => EmojiDataset.Create(missing)).Message);

        var folder = SyntheticEmojiFolder.Create();
        File.Delete(Path.Combine(folder.Root, "google-64", "1f605.png"));
        var ex = Assert.Throws<MucmmUserException>(() => EmojiDataset.Create(folder.Root, ["google", "en"]));
        Assert.StartsWith(Path.Combine(folder.Root, "google-64"), ex.Message);
        Assert.Contains($"1 of {SyntheticEmojiFolder.Bases} drawings missing", ex.Message);
        Assert.Contains("1f605.png", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal(SyntheticEmojiFolder.Bases, EmojiDataset.Create(folder.Root, ["twitter", "en"]).Count);   // only chosen views are read

        Directory.Delete(Path.Combine(folder.Root, "twitter-64"), recursive: true);
        Assert.StartsWith(Path.Combine(folder.Root, "twitter-64"), Assert.Throws<MucmmUserException>(() => EmojiDataset.Create(folder.Root, ["twitter", "en"])).Message);

        File.WriteAllText(Path.Combine(folder.Root, "google-64", "1f605.png"), "not a png");
        Assert.StartsWith(Path.Combine(folder.Root, "google-64", "1f605.png"), Assert.Throws<MucmmUserException>(() => EmojiDataset.Create(folder.Root)).Message);

        File.Delete(folder.AnnotationFile("de"));
        ex = Assert.Throws<MucmmUserException>(() => EmojiDataset.Create(folder.Root, ["en", "de"]));
        Assert.StartsWith(folder.AnnotationFile("de"), ex.Message);

        File.WriteAllText(Path.Combine(folder.Root, "emoji.json"), "[{\"name\": ");
        ex = Assert.Throws<MucmmUserException>(() => EmojiDataset.Create(folder.Root, ["en", "twitter"]));
        Assert.StartsWith(Path.Combine(folder.Root, "emoji.json"), ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        File.Delete(Path.Combine(folder.Root, "emoji.json"));
        Assert.StartsWith(Path.Combine(folder.Root, "emoji.json"), Assert.Throws<MucmmUserException>(() => EmojiDataset.Create(folder.Root)).Message);
    }

    /// <summary>The documented choice: a language lacking names for some emoji is an error naming the file, the language and the count (rows are never dropped).</summary>
    [Fact]
    public void A_language_without_annotations_for_some_emoji_is_an_error_with_the_count()
    {
        var folder = SyntheticEmojiFolder.Create();
        folder.DropAnnotation("de", 7);
        folder.DropAnnotation("de", 8);
        var ex = Assert.Throws<MucmmUserException>(() => EmojiDataset.Create(folder.Root, ["google", "de"]));
        Assert.StartsWith(folder.AnnotationFile("de"), ex.Message);
        Assert.Contains("language 'de'", ex.Message);
        Assert.Contains($"for 2 of {SyntheticEmojiFolder.Bases} emoji", ex.Message);
        Assert.Contains("EMOJI 8", ex.Message);   // the first missing row in sort order
        Assert.Equal(SyntheticEmojiFolder.Bases, EmojiDataset.Create(folder.Root, ["google", "en"]).Count);
    }

    [Theory]
    [InlineData("google,klingon", "unknown emoji view 'klingon'")]
    [InlineData("google,en,google", "'google' is given twice")]
    [InlineData("en,EN", "'en' is given twice")]
    [InlineData("google", "at least 2 views")]
    public void Bad_view_lists_are_user_errors(string views, string message)
    {
        var ex = Assert.Throws<MucmmUserException>(() => EmojiDataset.ResolveViews(views.Split(',')));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void Views_are_canonical_and_default_to_google_en()
    {
        Assert.Equal(["google", "en"], EmojiDataset.ResolveViews(null).Select(v => v.Name));
        Assert.Equal(["twitter", "ja", "zh"], EmojiDataset.ResolveViews(["Twitter", " ja", "ZH"]).Select(v => v.Name));
        var d = DatasetCatalog.Describe("emoji");
        Assert.Equal(["google", "twitter", "en", "de", "fr", "es", "ja", "zh"], d.ViewChoices.Select(v => v.Name));
        Assert.Equal(["google", "en"], d.Views.Select(v => v.Name));
        Assert.Equal(["resnet18", "resnet18", "minilm", "minilm", "minilm", "minilm", "minilm", "minilm"], d.ViewChoices.Select(v => v.DefaultEncoder));
    }

    /// <summary>The descriptor matches the loaded dataset (default views), and the per-view default encoders are found from the data.</summary>
    [Fact]
    public void Descriptor_and_default_encoders_match_the_loaded_dataset()
    {
        var folder = SyntheticEmojiFolder.Create();
        var data = DatasetCatalog.Load("emoji", new DatasetOptions { EmojiDir = folder.Root });
        DatasetCatalogTests.AssertMatches(DatasetCatalog.Describe("emoji"), data);
        Assert.Equal(["resnet18", "minilm"], DatasetCatalog.DefaultEncoders(data));
        var three = DatasetCatalog.Load("emoji", new DatasetOptions { EmojiDir = folder.Root, Views = ["de", "twitter", "google"] });
        Assert.Equal(["minilm", "resnet18", "resnet18"], DatasetCatalog.DefaultEncoders(three));
        Assert.Equal([null, null], DatasetCatalog.DefaultEncoders(DatasetCatalog.Load("split-mnist")));
        Assert.Contains("DatasetOptions.Views", Assert.Throws<MucmmUserException>(() => DatasetCatalog.Load("split-mnist", new DatasetOptions { Views = ["google", "en"] })).Message);
        Assert.Contains("DatasetOptions.SkinTones", Assert.Throws<MucmmUserException>(() => DatasetCatalog.Load("split-mnist", new DatasetOptions { SkinTones = true })).Message);
    }

    [Fact]
    public void Data_source_records_canonical_views_and_rejects_emoji_options_elsewhere()
    {
        var s = DataSource.ForDataset("emoji", 1, emoji: "x", views: ["Google", "EN"]);
        Assert.Null(s.Views);   // the default choice
        s = DataSource.ForDataset("EMOJI", 1, emoji: "x", views: ["twitter", "google", "ja"], skinTones: true);
        Assert.Equal(["twitter", "google", "ja"], s.Views);
        Assert.True(s.SkinTones);
        Assert.Equal(Path.GetFullPath("x"), s.Emoji);
        string json = JsonSerializer.Serialize(s, SettingsJson.Options);
        var back = JsonSerializer.Deserialize<DataSource>(json, SettingsJson.Options);
        Assert.Equal(s.Views, back!.Views);
        Assert.True(back.SkinTones);
        Assert.DoesNotContain("skin_tones", JsonSerializer.Serialize(DataSource.ForDataset("noisy-mnist", 0), SettingsJson.Options));
        Assert.Contains("DataSource.Emoji", Assert.Throws<MucmmUserException>(() => DataSource.ForDataset("noisy-mnist", 0, emoji: "x")).Message);
        Assert.Contains("DataSource.Views", Assert.Throws<MucmmUserException>(() => DataSource.ForDataset("noisy-mnist", 0, views: ["a", "b"])).Message);
        Assert.Contains("twice", Assert.Throws<MucmmUserException>(() => DataSource.ForDataset("emoji", 0, views: ["en", "en"])).Message);
    }

    /// <summary>
    /// Oracle: ../shared/data/emoji itself — counts read with Python's json module (1,906 non-Component records, 1,875
    /// skin-tone variants, 9 categories, 98 subcategories; README: every emoji has an English annotation) and the
    /// first row's English annotation as stored in annotations/en/annotations.json. The split rule gives 1,524 / 191 / 191.
    /// </summary>
    [EmojiFact]
    public void Real_folder_loads_every_view_with_the_documented_counts()
    {
        var data = EmojiDataset.Create(TestPaths.Emoji, EmojiDataset.Views.Select(v => v.Name).ToArray(), seed: 0);
        Assert.Equal(1_906, data.Count);
        Assert.Equal(8, data.Views.Count);
        Assert.Equal(9, data.LabelNames["category"].Length);
        Assert.Equal(98, data.LabelNames["subcategory"].Length);
        Assert.DoesNotContain("Component", data.LabelNames["category"]);
        Assert.Equal("Smileys & Emotion", data.LabelNames["category"][0]);
        Assert.Equal([1_524, 191, 191], new[] { Split.Train, Split.Validation, Split.Test }.Select(s => data.RowsOf(s).Length));
        Assert.Equal("GRINNING FACE", data.Notes["name"][0]);
        Assert.Equal("1F600", data.Notes["code_points"][0]);
        Assert.Equal("grinning face: cheerful, cheery, face, grin, grinning, happy, laugh, nice, smile, smiling, teeth", data.Views[2].Texts![0]);
        Assert.Equal("にっこり笑う: スマイル, ナイス, にっこり, にっこり笑う, ハッピー, 笑う, 笑顔, 顔", data.Views[6].Texts![0]);
        foreach (var v in data.Views.Take(2))
        {
            Assert.All(v.Data, x => Assert.InRange(x, 0.0, 1.0));
            for (int c = 0; c < 3; c++) Assert.Equal(1.0, v.Row(0)[c * 4096], 12);   // the corner of 😀 is transparent → white
        }
        Assert.All(data.Views.Skip(2), v => Assert.All(v.Texts!, t => Assert.Contains(": ", t)));
    }

    /// <summary>Oracle: Python's json over emoji.json: 1,906 base emoji + 1,875 skin-tone variants = 3,781 rows; every variant in its base's split.</summary>
    [EmojiFact]
    public void Real_folder_with_skin_tones_keeps_variants_with_their_base()
    {
        var data = EmojiDataset.Create(TestPaths.Emoji, ["en", "de"], skinTones: true, seed: 3);
        Assert.Equal(3_781, data.Count);
        Assert.Equal(1_906, data.Ids["base"].Distinct().Count());
        Assert.All(Enumerable.Range(0, data.Count), i => Assert.Equal(data.Splits[data.Ids["base"][i]], data.Splits[i]));
        int santa = Array.IndexOf(data.Notes["code_points"], "1F385");
        Assert.Equal("1F385-1F3FB", data.Notes["code_points"][santa + 1]);
        Assert.Equal("FATHER CHRISTMAS: LIGHT SKIN TONE", data.Notes["name"][santa + 1]);
    }
}
