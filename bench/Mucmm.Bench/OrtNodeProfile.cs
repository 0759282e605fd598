using System.Globalization;
using System.Text.Json;

namespace Mucmm.Bench;

/// <summary>
/// ONNX Runtime's profile (SessionOptions.EnableProfiling, a Chrome-trace JSON file) summed per node: one line
/// <c># ort_node</c> per node with its op type, mean microseconds per run, input and output shapes — to set against
/// oneDNN's per-convolution times of our forward (<c>ONEDNN_VERBOSE=1</c>; bench/onednn_layers.py joins the two).
/// </summary>
public static class OrtNodeProfile
{
    /// <summary>Prints the per-node means over <paramref name="runs"/> session runs recorded in <paramref name="file"/>, then deletes it.</summary>
    public static void Print(string file, int runs)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var nodes = new Dictionary<string, (string Op, double Us, string In, string Out, int Order)>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            if (!e.TryGetProperty("cat", out var cat) || cat.GetString() != "Node") continue;
            string name = e.GetProperty("name").GetString() ?? "";
            if (!name.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
            var args = e.GetProperty("args");
            string op = args.TryGetProperty("op_name", out var o) ? o.GetString() ?? "" : "";
            string Shapes(string key) => args.TryGetProperty(key, out var v) ? v.ToString().Replace(" ", "", StringComparison.Ordinal) : "";
            double us = e.GetProperty("dur").GetDouble();
            name = name[..^"_kernel_time".Length];
            nodes[name] = nodes.TryGetValue(name, out var n) ? n with { Us = n.Us + us } : (op, us, Shapes("input_type_shape"), Shapes("output_type_shape"), nodes.Count);
        }
        double total = nodes.Values.Sum(n => n.Us) / runs;
        var inv = CultureInfo.InvariantCulture;
        foreach (var (name, n) in nodes.OrderBy(kv => kv.Value.Order))
            Console.WriteLine(string.Create(inv, $"# ort_node {n.Op} {n.Us / runs / 1000:F3} ms name={name} in={n.In} out={n.Out}"));
        Console.WriteLine(string.Create(inv, $"# ort_total {total / 1000:F1} ms per run (sum of node times, {runs} runs)"));
        File.Delete(file);
    }
}
