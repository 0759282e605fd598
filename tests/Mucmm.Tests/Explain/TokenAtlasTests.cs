using Mucmm.Data;
using Mucmm.Explain;
using Mucmm.Linear;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Explain;

/// <summary>The atlas of a text view in token space (<see cref="TokenAtlas"/>, <see cref="AtlasEntry.Tokens"/>).</summary>
public class TokenAtlasTests
{
    private static readonly string[] Filler =
        ["apple", "river", "stone", "cloud", "paper", "glass", "tiger", "music", "chair", "green", "light", "north",
         "sugar", "plane", "dream", "water", "field", "house", "ocean", "metal", "bread", "honey", "smile", "train"];

    /// <summary>
    /// n texts of 5 distinct filler words, 40 % of them with "zebra" at a random place, and one training text with the
    /// word "unicorn" (in a single text). View 2 stands for the texts' encoder features: the texts' bag of words over
    /// Filler + zebra plus noise 0.05; view 1 holds zebra's presence plus noise 0.3 and three noise columns. So the one
    /// thing the views share is whether "zebra" is in the text. Rows 0–449 train, the rest test.
    /// </summary>
    private static (PairedDataset Data, string[] Texts) ZebraData(int n, int seed)
    {
        var rng = new Random(seed);
        string[] vocabulary = [.. Filler, "zebra"];
        var texts = new string[n];
        var v1 = new double[n * 4];
        var v2 = new double[n * vocabulary.Length];
        for (int i = 0; i < n; i++)
        {
            var words = Filler.OrderBy(_ => rng.Next()).Take(5).ToList();
            bool zebra = rng.NextDouble() < 0.4;
            if (zebra) words.Insert(rng.Next(words.Count + 1), "zebra");
            if (i == 7) words.Add("unicorn");
            texts[i] = string.Join(' ', words);
            for (int j = 0; j < vocabulary.Length; j++) v2[i * vocabulary.Length + j] = (words.Contains(vocabulary[j]) ? 1 : 0) + 0.05 * Gauss(rng);
            v1[i * 4] = (zebra ? 1 : 0) + 0.3 * Gauss(rng);
            for (int j = 1; j < 4; j++) v1[i * 4 + j] = Gauss(rng);
        }
        var views = new[] { new View("numbers", ViewKind.Vector, [4], v1), new View("text features", ViewKind.Vector, [vocabulary.Length], v2) };
        var splits = Enumerable.Range(0, n).Select(i => i < 450 ? Split.Train : Split.Test).ToArray();
        return (new PairedDataset("zebra", views, splits), texts);
    }

    private static double Gauss(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>
    /// Ground truth by construction: the only word shared with view 1 is "zebra", so the common variate of the text
    /// view is driven by it and "zebra" must rank first in its token pattern, by a margin (|weight| more than 3× the
    /// runner-up's). Oracle for every kept weight and correlation: loops over the training texts split at spaces (not
    /// <see cref="TokenAtlas.Words"/>) with the variate from <c>model.Transform</c> standardized by hand,
    /// Σᵢ (bᵢ − b̄)(zᵢ − z̄)/sd(z)/(n − 1) and the Pearson correlation (1e-10); the kept words are the 24 largest |weight|
    /// of the whole vocabulary (same oracle); a word in one text ("unicorn") is left out. Extremes are really extreme:
    /// the highest test texts all hold "zebra" when its weight is positive and the lowest none (mirrored when negative).
    /// View 1 has no texts, so no token patterns. The token atlas picture renders.
    /// </summary>
    [Fact]
    public void The_word_driving_a_common_variate_ranks_first_and_weights_are_the_regression_on_the_variate()
    {
        using var scope = NewDisposeScope();
        var (data, texts) = ZebraData(600, 5);
        var train = data.Subset(Split.Train);
        var test = data.Subset(Split.Test);
        using var model = new LinearOptions { CommonDim = 1, IndividualDim = 2 }.Fit(data);
        var atlas = Atlas.Compute(model, train, test, extremes: 5, texts: [null, texts]);
        Assert.All(atlas.Where(e => e.View == 1), e => Assert.Null(e.Tokens));

        var entry = atlas.Single(e => e.Name == "common2:1");
        var tokens = entry.Tokens!;
        Assert.Equal("zebra", tokens[0].Token);
        Assert.True(Math.Abs(tokens[0].Weight) > 3 * Math.Abs(tokens[1].Weight), $"zebra {tokens[0].Weight} vs {tokens[1].Token} {tokens[1].Weight}");

        // Oracle weights.
        int n = train.Count;
        var z = model.Transform(train.Views).Common[1][.., 0].contiguous().data<double>().ToArray();
        double mean = z.Average(), sd = Math.Sqrt(z.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        var trainWords = Enumerable.Range(0, n).Select(i => texts[i].Split(' ')).ToArray();
        var all = trainWords.SelectMany(w => w).Distinct().ToArray();
        (double Weight, double Correlation, int Count) Oracle(string word)
        {
            var b = trainWords.Select(w => w.Contains(word) ? 1.0 : 0.0).ToArray();
            double bm = b.Average(), cov = 0, vb = 0;
            for (int i = 0; i < n; i++)
            {
                cov += (b[i] - bm) * (z[i] - mean) / (n - 1);
                vb += (b[i] - bm) * (b[i] - bm) / (n - 1);
            }
            return (cov / sd, cov / (sd * Math.Sqrt(vb)), (int)b.Sum());
        }
        foreach (var t in tokens)
        {
            var (w, r, c) = Oracle(t.Token);
            Assert.Equal(w, t.Weight, 1e-10);
            Assert.Equal(r, t.Correlation, 1e-10);
            Assert.Equal(c, t.Count);
        }
        var expected = all.Where(w => Oracle(w).Count >= 2).OrderByDescending(w => Math.Abs(Oracle(w).Weight)).Take(TokenAtlas.DefaultKept).ToArray();
        Assert.Equal(expected, tokens.Select(t => t.Token));
        Assert.DoesNotContain(atlas.Where(e => e.View == 2).SelectMany(e => e.Tokens!), t => t.Token == "unicorn");

        var testTexts = test.Indices.Select(i => texts[i]).ToArray();
        bool Has(int row) => testTexts[row].Split(' ').Contains("zebra");
        var (withZebra, without) = tokens[0].Weight > 0 ? (entry.Highest, entry.Lowest) : (entry.Lowest, entry.Highest);
        Assert.All(withZebra, r => Assert.True(Has(r), testTexts[r]));
        Assert.All(without, r => Assert.False(Has(r), testTexts[r]));

        using var figure = TokenFigure.RenderAtlas(atlas.Where(e => e.View == 2).ToArray(), testTexts);
        Assert.True(figure.Width > 0 && figure.Height > 100);
    }

    /// <summary>Oracle: the rule by hand — runs of letters and digits, lower-cased, each word once, in order; punctuation (also U+2019) splits.</summary>
    [Fact]
    public void Words_are_lower_cased_runs_of_letters_and_digits()
    {
        Assert.Equal(["flag", "united", "states", "woman", "s", "hat", "é", "2"], TokenAtlas.Words("Flag: United-States, woman’s HAT hat É 2"));
        Assert.Empty(TokenAtlas.Words(" ,;: "));
    }
}
