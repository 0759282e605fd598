using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mucmm.Data;
using Mucmm.Data.Readers;
using Mucmm.Deep.Onnx;
using Mucmm.Explain;
using Mucmm.Report;
using Mucmm.Tests.Cli;
using Mucmm.Tests.Deep.Onnx;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Report;

/// <summary>The report of a run fitted on frozen pretrained features: maps through the encoder to the pixels, tokens, colour atlas.</summary>
public class PretrainedReportTests
{
    private static readonly string[] Colours = ["red", "green", "blue"];
    private static readonly string[] Places = ["top", "middle", "bottom"];

    /// <summary>
    /// 60 pairs: an RGB image (3 × 12 × 12, noise plus a bright band of one colour at one height) and a text naming the
    /// colour and the height. Writes images.npy and names.txt into <paramref name="dir"/>.
    /// </summary>
    private static (string Images, string Texts) WriteData(string dir, int n = 60)
    {
        var rng = new Random(11);
        var pixels = new double[n * 432];
        var texts = new string[n];
        for (int i = 0; i < n; i++)
        {
            int c = rng.Next(3), p = rng.Next(3);
            for (int j = 0; j < 432; j++) pixels[i * 432 + j] = 0.2 * rng.NextDouble();
            for (int r = 4 * p; r < 4 * p + 4; r++)
                for (int x = 0; x < 12; x++) pixels[i * 432 + c * 144 + r * 12 + x] += 0.8;
            texts[i] = $"a {Colours[c]} band at the {Places[p]}";
        }
        string images = Path.Combine(dir, "images.npy"), names = Path.Combine(dir, "names.txt");
        NpyFile.Write(images, pixels, [n, 3, 12, 12]);
        File.WriteAllLines(names, texts);
        return (images, names);
    }

    /// <summary>
    /// A linear run on (RGB images through the ONNX fixture cnn_opset13 → 5 features, texts through minilm): the report's
    /// sample figures are drawn from the pixels — the page says the maps go to the 3 × 12 × 12 pixels, the figures' alt
    /// text gives the maps' width (432 inputs for view 1: the pixels, not the 5 features), the explainable
    /// model the report uses (<see cref="ExplainableRun"/>) takes 432 inputs for view 1 (not the 5 features), the tokens of
    /// view 2 are coloured, and the atlas draws view 1's pattern in colour from the raw pixels (pattern length 432; oracle:
    /// X_cᵀ z̃ / (n − 1) computed here from the raw training pixels and the model's variates on the features, tolerance
    /// 1e-9 relative to the largest |value|). <c>explain --method gradient</c> (the report's method for such runs) gives
    /// the same map for the same samples as the report's code path (<see cref="ReportBuilder.SampleMaps"/> on the
    /// <see cref="ExplainableRun"/>): maps.npy (float32) equals it within 1e-5 of the largest |map| per score and view.
    /// </summary>
    [Fact]
    public void ReportOfAPretrainedRunDrawsMapsOnThePixelsLikeExplain()
    {
        string dir = TestPaths.NewTempDir();
        string previousCache = Environment.GetEnvironmentVariable(FeatureCache.EnvironmentVariable) ?? "";
        Environment.SetEnvironmentVariable(FeatureCache.EnvironmentVariable, Path.Combine(dir, "cache"));
        try
        {
            var (images, names) = WriteData(dir);
            string onnx = "onnx:" + OnnxImportTests.Fixture("cnn_opset13.onnx");
            string run = Path.Combine(dir, "run");
            var r = CliHarness.Run("fit", "--model", "linear", "--view1", images, "--view2", names, "--encoder1", onnx,
                "--common-dim", "2", "--individual-dim", "1", "--quiet", "--out", run);
            Assert.True(r.ExitCode == 0, r.Stderr);
            r = CliHarness.Run("report", "--run", run, "--samples-per-selection", "2", "--quiet");
            Assert.True(r.ExitCode == 0, r.Stderr);
            string html = File.ReadAllText(Path.Combine(run, "report.html"));
            Assert.Contains("to its 3 &#215; 12 &#215; 12 pixels", html);
            // The sample figures' maps were taken of the 432 raw pixels of view 1, not of its 5 features.
            Assert.Contains("alt=\"Highest common score: gradient maps on view 1 (432 inputs), view 2 (384 inputs)\"", html);
            Assert.Contains("Highest common score: tokens of view 2", html);
            Assert.Contains("Why gradient here", html);   // the method of a run with a pretrained image encoder
            foreach (Match m in Regex.Matches(html, "src=\"data:image/png;base64,([^\"]+)\""))
            {
                using var bitmap = SKBitmap.Decode(Convert.FromBase64String(m.Groups[1].Value));
                Assert.NotNull(bitmap);
            }

            // The report's explainable model and data, as RunReport builds them.
            var folder = RunFolder.Open(run);
            var raw = PairedFiles.Load([images, names], seed: folder.Seed);
            // (n, 3, H, W) .npy files are vector views; as an image view (the emoji drawings are), the same run's report
            // draws colour pictures and the atlas's colour pattern (the fingerprint does not depend on the view kind).
            var asImages = raw.WithViews([new View("view1", ViewKind.Image, [3, 12, 12], raw.Views[0].Data), raw.Views[1]]);
            RunReport.Write(folder, asImages, force: true, options: new ReportOptions { SamplesPerSelection = 2 });
            html = File.ReadAllText(Path.Combine(run, "report.html"));
            Assert.Contains("pattern is drawn in colour", html);
            Assert.Contains("<td>image</td><td>3 × 12 × 12</td>", html);
            using var model = folder.LoadModel();
            using var explainable = ExplainableRun.Of(model, ViewEncoders.Load(folder.ModelPath), raw, FeatureCache.Default);
            Assert.Equal([432, MiniLmEncoder.Features], explainable.Model.InputDims);
            Assert.Equal([5, MiniLmEncoder.Features], model.InputDims);

            // Atlas pattern of view 1 from the raw pixels (the oracle regression, computed here).
            var features = ViewEncoders.Encode(raw, ViewEncoders.Load(folder.ModelPath)!, FeatureCache.Default);
            var train = features.Subset(Split.Train);
            var rawTrain = explainable.Data.Subset(Split.Train);
            var atlas = Atlas.Compute(model, train, features.Subset(Split.Test), 2, rawTrain.Views);
            var entry = atlas.First(e => e.Name == "common1:1");
            Assert.Equal(432, entry.Pattern.Length);
            using (var scope = NewDisposeScope())
            {
                var z = model.Transform(train.Views).Common[0][.., 0].contiguous().data<double>().ToArray();
                double zm = z.Average(), zs = Math.Sqrt(z.Sum(v => (v - zm) * (v - zm)) / (z.Length - 1));
                var x = rawTrain.Views[0];
                double largest = entry.Pattern.Max(Math.Abs);
                for (int j = 0; j < 432; j++)
                {
                    double xm = Enumerable.Range(0, x.Rows).Average(i => x.Data[i * 432 + j]);
                    double a = Enumerable.Range(0, x.Rows).Sum(i => (x.Data[i * 432 + j] - xm) * (z[i] - zm) / zs) / (x.Rows - 1);
                    Assert.True(Math.Abs(a - entry.Pattern[j]) <= 1e-9 * largest, $"pixel {j}: {entry.Pattern[j]} vs {a}");
                }
            }

            // The composed model's variates (the encoder runs inside, ViewEncoders.ImageBatch rows per chunk) on 150 rows
            // repeated from the data (three chunks, the last partial) equal the model's variates on the same rows' features
            // (oracle: the features path; tolerance 1e-5 of the largest |variate|: the float32 encoder runs other batch sizes).
            using (var scope = NewDisposeScope())
            {
                int[] order = [.. Enumerable.Range(0, 150).Select(i => i % raw.Count)];
                View Repeat(View v) => new(v.Name, v.Kind, [.. v.SampleShape], [.. order.SelectMany(i => v.Row(i).ToArray())]);
                var composed = explainable.Model.Transform([.. explainable.Data.Views.Select(Repeat)]);
                var direct = model.Transform([.. features.Views.Select(Repeat)]);
                foreach (var (got, want) in composed.Common.Concat(composed.Individual).Zip(direct.Common.Concat(direct.Individual)))
                {
                    Assert.Equal(want.shape, got.shape);
                    double largest = want.abs().max().item<double>();
                    Assert.True((got - want).abs().max().item<double>() <= 1e-5 * largest, "composed model's variates differ from the features path");
                }
            }

            // explain on two test rows vs the report's code path on the same rows.
            var test = explainable.Data.Subset(Split.Test);
            int[] rows = [0, 1];
            string ex = Path.Combine(dir, "ex");
            r = CliHarness.Run("explain", "--run", run, "--indices", string.Join(",", rows.Select(i => test.Indices[i])), "--method", "gradient", "--out", ex);
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.True(File.Exists(Path.Combine(ex, "tokens_common_view2.png")));
            var layout = JsonNode.Parse(File.ReadAllText(Path.Combine(ex, "maps.json")))!;
            var scoreNames = layout["scores"]!.AsArray().Select(s => s!.GetValue<string>()).ToArray();
            Assert.Equal(432, layout["views"]![0]!["width"]!.GetValue<int>());
            var explained = NpyFile.Read(Path.Combine(ex, "maps.npy"));
            using (var scope = NewDisposeScope())
            {
                var scores = scoreNames.Select(s => Score.Parse(s, explainable.Model)).ToArray();
                var (_, maps) = ReportBuilder.SampleMaps(explainable.Model, test.Select(rows), scores,
                    new AttributionOptions { Method = new ReportOptions().PretrainedMethod });
                int total = 432 + MiniLmEncoder.Features;
                for (int s = 0; s < scores.Length; s++)
                    for (int m = 0; m < 2; m++)
                    {
                        int offset = m == 0 ? 0 : 432, width = m == 0 ? 432 : MiniLmEncoder.Features;
                        double largest = rows.Max(i => maps[s].Map(m, i).ToArray().Max(Math.Abs));
                        for (int i = 0; i < rows.Length; i++)
                        {
                            var want = maps[s].Map(m, i);
                            for (int j = 0; j < width; j++)
                            {
                                double got = explained.Data[(i * scores.Length + s) * total + offset + j];
                                Assert.True(Math.Abs(got - want[j]) <= 1e-5 * largest + 1e-12, $"{scores[s].Name} view {m + 1} row {i} input {j}: explain {got} vs report {want[j]}");
                            }
                        }
                    }
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable(FeatureCache.EnvironmentVariable, previousCache.Length == 0 ? null : previousCache);
        }
    }
}
