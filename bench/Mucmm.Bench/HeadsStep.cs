using System.Diagnostics;
using Mucmm.Deep;
using Mucmm.Deep.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Bench;

/// <summary>
/// Where the time of a deep MUCMM step on cached features goes (mode <c>heads</c>): the default network on
/// identity encoders (linear heads 512 → k, 512 → r, decoders (k+r)-512-512), a fixed batch of 500 rows, and the
/// step cut into forward (heads, decoders, objective), backward and the Adam update, each timed over many steps, and
/// the process's CPU milliseconds per step (all threads; the figure to compare under load).
/// </summary>
public static class HeadsStep
{
    /// <summary>Times <paramref name="steps"/> steps and prints milliseconds per step by part.</summary>
    public static int Run(int steps, int width, int batch)
    {
        torch.manual_seed(0);
        var options = new DeepModelOptions { Encoder = EncoderKind.Identity };
        using var network = DeepMultiviewModel.BuildNetwork(options, [[width], [width]], [width, width]);
        var parameters = Enumerable.Range(0, 2).SelectMany(m => network[m].HeadParameters()).ToArray();
        using var optimizer = optim.Adam(parameters, 3e-3);
        var x = new[] { randn(batch, width).DetachFromDisposeScope(), randn(batch, width).DetachFromDisposeScope() };
        var objective = new MucmmObjectiveOptions();
        network.train();
        double fwd = 0, bwd = 0, upd = 0, obj = 0;
        var cpu = TimeSpan.Zero;
        for (int s = -3; s < steps; s++)
        {
            if (s == 0) cpu = Process.GetCurrentProcess().TotalProcessorTime;
            using var scope = NewDisposeScope();
            var w = Stopwatch.StartNew();
            var views = new ViewBatch[2];
            for (int m = 0; m < 2; m++)
            {
                var (c, u) = network[m].Heads(x[m]);
                views[m] = new ViewBatch(c, u, x[m], network[m].Decode(c, u));
            }
            double tNet = w.Elapsed.TotalMilliseconds;
            var result = DeepObjectives.Mucmm(views, objective);
            double loss = result.Loss.item<double>();
            foreach (var t in result.Terms) t.Value.item<double>();
            double tFwd = w.Elapsed.TotalMilliseconds;
            optimizer.zero_grad();
            result.Loss.backward();
            double tBwd = w.Elapsed.TotalMilliseconds;
            optimizer.step();
            double tUpd = w.Elapsed.TotalMilliseconds;
            if (s < 0) continue;
            obj += tFwd - tNet; fwd += tNet; bwd += tBwd - tFwd; upd += tUpd - tBwd;
        }
        double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / steps;
        // The objective's parts alone (forward + backward), same batch: the five R2 measures and the two reconstruction errors.
        var parts = new Dictionary<string, double>();
        for (int s = -3; s < steps; s++)
        {
            using var scope = NewDisposeScope();
            var (c0, u0) = network[0].Heads(x[0]);
            var (c1, u1) = network[1].Heads(x[1]);
            var d0 = network[0].Decode(c0, u0);
            var w = Stopwatch.StartNew();
            var r2 = Correlation.R2(c0, c1) + Correlation.R2(u0, cat([c1, u1], 1)) + Correlation.R2(u1, cat([c0, u0], 1)) + Correlation.R2(u0, c0) + Correlation.R2(u1, c1);
            r2.backward(retain_graph: true);
            double tR2 = w.Elapsed.TotalMilliseconds;
            // The same five measures as the objective computes them: one batched call (blocks c0, c1, u0, u1).
            var pairs = Correlation.R2Pairs([c0, c1, u0, u1], [([0], [1]), ([2], [1, 3]), ([3], [0, 2]), ([2], [0]), ([3], [1])]).sum();
            pairs.backward(retain_graph: true);
            double tPairs = w.Elapsed.TotalMilliseconds - tR2;
            var rec = DeepObjectives.RelativeReconstructionError(x[0], d0);
            rec.backward();
            double tRec = w.Elapsed.TotalMilliseconds - tR2 - tPairs;
            if (s < 0) continue;
            parts["five_r2_separate_fwd_bwd"] = parts.GetValueOrDefault("five_r2_separate_fwd_bwd") + tR2 / steps;
            parts["five_r2_batched_fwd_bwd"] = parts.GetValueOrDefault("five_r2_batched_fwd_bwd") + tPairs / steps;
            parts["one_reconstruction_fwd_bwd_incl_decoder"] = parts.GetValueOrDefault("one_reconstruction_fwd_bwd_incl_decoder") + tRec / steps;
        }
        Console.WriteLine("RESULT heads_parts " + string.Join(" ", parts.Select(p => $"{p.Key}={p.Value:F2}")));
        Console.WriteLine($"RESULT heads ms_per_step network_forward={fwd / steps:F2} objective_forward={obj / steps:F2} backward={bwd / steps:F2} adam={upd / steps:F2} total={(fwd + obj + bwd + upd) / steps:F2} cpu={cpuMs:F2} load={BenchEnvironment.LoadAverage()}");
        foreach (var t in x) t.Dispose();
        return 0;
    }
}
