using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Deep.Onnx;
using Mucmm.Explain;
using Mucmm.Linear;
using Mucmm.Tests.Cli;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Mucmm.Tests.Explain;

/// <summary>Per-token attributions of text views through MiniLM, and explain on a text view at the command line.</summary>
public class TokenAttributionTests(ITestOutputHelper output)
{
    private static readonly string[] Words = ["red", "green", "blue", "yellow"];
    private static readonly string[] Shapes = ["circle", "square", "triangle", "star"];

    /// <summary>30 pairs: a small vector view (colour one-hot, shape index, noise) and a text naming the colour and the shape.</summary>
    private static (double[] Vectors, string[] Texts) Pairs(int n, int seed)
    {
        var rng = new Random(seed);
        var vectors = new double[n * 6];
        var texts = new string[n];
        for (int i = 0; i < n; i++)
        {
            int c = rng.Next(4), s = rng.Next(4);
            vectors[i * 6 + c] = 1;
            vectors[i * 6 + 4] = s;
            vectors[i * 6 + 5] = rng.NextDouble();
            for (int j = 0; j < 6; j++) vectors[i * 6 + j] += 0.1 * (rng.NextDouble() - 0.5);
            texts[i] = $"a {Words[c]} {Shapes[s]}";
        }
        return (vectors, texts);
    }

    /// <summary>
    /// Token attributions of the common and an individual score of a linear MUCMM model fitted on 30 pairs (vectors,
    /// float64 MiniLM features of texts), with a float64 MiniLM so finite differences are exact enough:
    /// (1) gradient × embedding of token t equals the derivative of the score when only token t's embedding is scaled,
    /// d/dα S(E with Eₜ → αEₜ) at α = 1 (oracle: central finite difference, h = 1e-5, tolerance 1e-6 relative to the
    /// largest |attribution| of the text), and their sum equals d/dα S(αE) at α = 1 (same oracle and tolerance);
    /// (2) Integrated Gradients are complete: Σₜ IGₜ = S(E) − S(0) within 1e-3 |S(E) − S(0)| at 32 Gauss–Legendre nodes
    /// (the quadrature error; measured 8e-5 to 2.6e-4 relative on these texts).
    /// </summary>
    [Fact]
    public void GradientTimesEmbeddingIsTheDirectionalDerivativeAndIntegratedGradientsAreComplete()
    {
        using var scope = NewDisposeScope();
        using var encoder = new MiniLmEncoder(floatType: ScalarType.Float64);
        var (vectors, texts) = Pairs(30, 1);
        var features = encoder.Encode(texts);
        var views = new[] { new View("v", ViewKind.Vector, [6], vectors), new View("text", ViewKind.Vector, [MiniLmEncoder.Features], features) };
        var model = LinearMucmm.Fit(views, new LinearOptions { CommonDim = 2, IndividualDim = 2 });
        string[] sample = ["a green triangle", "the blue star and a yellow circle"];
        var inputs = new[] { tensor(vectors[..12], [2, 6], dtype: float64), zeros(2, MiniLmEncoder.Features, dtype: float64) };
        foreach (var score in new[] { Score.Common, Score.Individual(2) })
        {
            var result = TokenAttributions.Compute(model, score, inputs, 1, encoder, sample, steps: 32);
            for (int i = 0; i < sample.Length; i++)
            {
                var a = result[i];
                Assert.Equal("[CLS]", a.Tokens[0]);
                Assert.Equal("[SEP]", a.Tokens[^1]);
                double scale = a.GradientTimesEmbedding.Max(Math.Abs);
                using var tokens = encoder.Tokenize([sample[i]]);
                var e = encoder.TokenEmbeddings(tokens).detach();
                double S(Tensor embeddings)
                {
                    using var _ = no_grad();
                    var f = encoder.Forward(tokens, embeddings);
                    var x = new[] { inputs[0].narrow(0, i, 1), f };
                    return score.Evaluate(model.Forward(x)).item<double>();
                }
                const double h = 1e-5;
                for (int t = 0; t < a.Tokens.Length; t++)
                {
                    Tensor Scaled(double alpha)
                    {
                        var factor = ones(1, a.Tokens.Length, 1, dtype: float64);
                        factor[0, t, 0] = tensor(alpha, dtype: float64);
                        return e * factor;
                    }
                    double fd = (S(Scaled(1 + h)) - S(Scaled(1 - h))) / (2 * h);
                    Assert.True(Math.Abs(fd - a.GradientTimesEmbedding[t]) <= 1e-6 * scale, $"{score.Name} '{sample[i]}' token {t} {a.Tokens[t]}: {a.GradientTimesEmbedding[t]} vs FD {fd}");
                }
                double all = (S(e * (1 + h)) - S(e * (1 - h))) / (2 * h);
                Assert.True(Math.Abs(all - a.GradientTimesEmbedding.Sum()) <= 1e-6 * scale * a.Tokens.Length, $"{score.Name}: sum {a.GradientTimesEmbedding.Sum()} vs FD {all}");
                Assert.Equal(S(e), a.Score, 1e-9);
                double gap = Math.Abs(a.Score - a.BaselineScore);
                output.WriteLine($"{score.Name} '{sample[i]}': S = {a.Score:G6}, S(0) = {a.BaselineScore:G6}, completeness error {a.CompletenessError:G3} ({a.CompletenessError / gap:G3} relative)");
                Assert.True(a.CompletenessError <= 1e-3 * gap, $"{score.Name}: IG sum {a.IntegratedGradients.Sum()} vs S(E) − S(0) = {a.Score - a.BaselineScore}");
            }
        }
    }

    /// <summary>
    /// At the command line, a vector view paired with a text view of 40 lines: <c>fit --model linear</c> (minilm by
    /// default on the text view), then <c>explain</c> writes tokens_common_view2.png and tokens.json whose tokens are
    /// the texts' word pieces and whose Integrated Gradients are complete within 1e-2 |S(x) − S(0)| + 2e-3 (float32
    /// MiniLM, 32 nodes: the quadrature error plus float32 rounding of the scores); <c>report</c> draws the tokens of
    /// its top/bottom common-score samples; a deep fit with heads on the cached features (<c>--model deep --encoder2
    /// minilm</c>) also explains.
    /// Oracle for the tokens: the texts of the explained rows (samples.csv indices into the text file).
    /// </summary>
    [Fact]
    public void FitAndExplainWithATextView()
    {
        string dir = TestPaths.NewTempDir();
        var (vectors, texts) = Pairs(40, 2);
        string v1 = Path.Combine(dir, "v.npy"), v2 = Path.Combine(dir, "names.txt");
        Mucmm.Data.Readers.NpyFile.Write(v1, vectors, 40, 6);
        File.WriteAllLines(v2, texts);
        string run = Path.Combine(dir, "run"), ex = Path.Combine(dir, "ex");
        var r = CliHarness.Run("fit", "--model", "linear", "--view1", v1, "--view2", v2, "--common-dim", "2", "--individual-dim", "2", "--quiet", "--out", run);
        Assert.True(r.ExitCode == 0, r.Stderr);
        r = CliHarness.Run("explain", "--run", run, "--count", "2", "--method", "gradient", "--atlas", "--out", ex);
        Assert.True(r.ExitCode == 0, r.Stderr);
        output.WriteLine(r.Stdout);
        Assert.True(File.Exists(Path.Combine(ex, "tokens_common_view2.png")));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(ex, "tokens.json")))!;
        foreach (var entry in json["common/view2"]!.AsArray())
        {
            int index = int.Parse(entry!["index"]!.GetValue<string>().TrimStart('#'), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(texts[index], entry["text"]!.GetValue<string>());
            var tokens = entry["tokens"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray();
            Assert.Equal(["[CLS]", .. texts[index].Split(' '), "[SEP]"], tokens);
            double gap = Math.Abs(entry["score"]!.GetValue<double>() - entry["baseline_score"]!.GetValue<double>());
            Assert.True(entry["completeness_error"]!.GetValue<double>() <= 1e-2 * gap + 2e-3);
        }

        // --atlas: the text view's variates have word patterns (no word that is in every text: "a"), its extremes their texts;
        // the vector view's have none.
        Assert.True(File.Exists(Path.Combine(ex, "atlas_view2.png")));
        var atlas = JsonNode.Parse(File.ReadAllText(Path.Combine(ex, "atlas.json")))!.AsArray();
        var common2 = atlas.Single(e => e!["variate"]!.GetValue<string>() == "common2:1")!;
        var words = common2["tokens"]!.AsArray().Select(t => t!["token"]!.GetValue<string>()).ToArray();
        Assert.NotEmpty(words);
        Assert.All(words, w => Assert.Contains(w, Words.Concat(Shapes)));
        foreach (var e in common2["highest"]!.AsArray().Concat(common2["lowest"]!.AsArray()))
            Assert.Equal(texts[e!["index"]!.GetValue<int>()], e["text"]!.GetValue<string>());
        Assert.Null(atlas.Single(e => e!["variate"]!.GetValue<string>() == "common1:1")!["tokens"]);

        // The report colours the caption tokens of its top/bottom common-score samples and draws the token atlas.
        r = CliHarness.Run("report", "--run", run);
        Assert.True(r.ExitCode == 0, r.Stderr);
        string html = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.Contains("Highest common score: tokens of view 2", html);
        Assert.Contains("each variate's pattern is over <b>words</b>", html);

        string deep = Path.Combine(dir, "deep");
        r = CliHarness.Run("fit", "--model", "deep", "--view1", v1, "--view2", v2, "--encoder1", "identity", "--encoder2", "minilm",
            "--common-dim", "2", "--individual-dim", "2", "--batch-size", "16", "--epochs", "2", "--quiet", "--out", deep);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(deep, "model", "config.json")))!;
        Assert.Equal(["identity", "identity"], config["encoder_per_view"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal([6, MiniLmEncoder.Features], config["input_dims"]!.AsArray().Select(d => d!.GetValue<int>()));
        r = CliHarness.Run("explain", "--run", deep, "--count", "1", "--method", "gradient", "--score", "common", "--out", Path.Combine(dir, "ex-deep"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.True(File.Exists(Path.Combine(dir, "ex-deep", "tokens_common_view2.png")));
    }
}
