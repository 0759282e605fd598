using System.CommandLine;
using Mucmm.Data.Readers;
using Mucmm.Deep.Onnx;

namespace Mucmm.Cli.Commands;

/// <summary>
/// <c>mucmm features --encoder ENC --input FILE.npy --out FILE.npy [--batch-size B] [--force]</c>: the frozen
/// features of a pretrained encoder (<c>resnet18[:SIZE]</c>, <c>onnx:PATH</c>, <c>torchscript:PATH</c>) for every
/// sample of a <c>.npy</c> file whose first axis is the sample and whose other axes are the per-sample shape
/// (e.g. (n, 28, 28) grey or (n, 3, H, W) RGB images in [0, 1]), or with <c>--encoder minilm</c> for every line of
/// a UTF-8 text file; written as float32 (n × f).
/// </summary>
public static class FeaturesCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var encoder = new Option<string>("--encoder") { Description = $"Pretrained encoder: {PretrainedEncoders.Forms}, or minilm for a text file (docs/pretrained.md).", HelpName = "ENC", Required = true };
        var input = new Option<string>("--input") { Description = "Samples: a .npy file, first axis = samples, the other axes = the per-sample shape; for minilm a UTF-8 text file, one sample per line.", HelpName = "FILE", Required = true };
        var output = new Option<string>("--out") { Description = "Output .npy file (float32, samples × features).", HelpName = "FILE", Required = true };
        var batch = new Option<int>("--batch-size") { Description = "Samples per forward pass.", HelpName = "B", DefaultValueFactory = _ => 64 };
        var force = new Option<bool>("--force") { Description = "Replace an existing output file." };
        var cmd = new Command("features",
            "Compute a pretrained encoder's features for every sample of a .npy file (frozen weights, float32 .npy).\n" +
            "Example:\n  mucmm features --encoder resnet18:64 --input digits.npy --out digits-resnet.npy");
        foreach (var o in new Option[] { encoder, input, output, batch, force }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            string inPath = parse.GetValue(input)!, outPath = parse.GetValue(output)!;
            if (!outPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
                throw new MucmmUserException(outPath, "--out must be a .npy file");
            if (File.Exists(outPath) && !parse.GetValue(force))
                throw new MucmmUserException(outPath, "already exists (use --force to replace it)");
            if (parse.GetValue(encoder)!.Trim().Equals("minilm", StringComparison.OrdinalIgnoreCase))
                return TextFeatures(inPath, outPath, parse.GetValue(batch));
            if (!inPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
                throw new MucmmUserException(inPath, "--input must be a .npy file");
            var array = NpyFile.Read(inPath);
            if (array.Shape.Length < 2 || array.Rows == 0)
                throw new MucmmUserException(inPath, $"needs at least 2 axes (samples, …) and one sample, got shape ({string.Join(", ", array.Shape)})");
            using var enc = PretrainedEncoders.Create(parse.GetValue(encoder)!, array.Shape[1..]);
            var features = PretrainedEncoders.Features(enc, array.Data, array.Rows, parse.GetValue(batch));
            string temp = outPath + ".partial";
            NpyFile.Write(temp, features, array.Rows, enc.OutputDim);
            File.Move(temp, outPath, overwrite: true);
            Console.WriteLine($"features: {array.Rows} samples × {enc.OutputDim} → {outPath}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary><c>--encoder minilm</c>: one text per line of a UTF-8 file (an empty line is an empty text) → (lines × 384).</summary>
    private static int TextFeatures(string inPath, string outPath, int batch)
    {
        var lines = TextFile.ReadLines(inPath);
        using var enc = new MiniLmEncoder();
        var features = enc.Encode(lines, batch);
        string temp = outPath + ".partial";
        NpyFile.Write(temp, features, lines.Length, MiniLmEncoder.Features);
        File.Move(temp, outPath, overwrite: true);
        Console.WriteLine($"features: {lines.Length} lines × {MiniLmEncoder.Features} → {outPath}");
        return ExitCodes.Ok;
    }
}
