using System.Globalization;
using ScottPlot;

namespace Mucmm.Report;

/// <summary>The report's charts (ScottPlot 5), each returned as PNG bytes.</summary>
public static class Figures
{
    private static readonly Color[] Palette =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#d62728"), Color.FromHex("#2ca02c"),
        Color.FromHex("#ff7f0e"), Color.FromHex("#9467bd"), Color.FromHex("#8c564b"),
    ];

    /// <summary>One objective term over epochs: one line per training phase (e.g. pretrain, train).</summary>
    public static byte[] Curve(string title, IReadOnlyList<(string Phase, double[] Epochs, double[] Values)> series, int width = 380, int height = 250)
    {
        var plot = new Plot();
        int i = 0;
        foreach (var (phase, x, y) in series)
        {
            var finite = x.Zip(y).Where(p => double.IsFinite(p.Second)).ToArray();
            if (finite.Length == 0) continue;
            var line = plot.Add.Scatter(finite.Select(p => p.First).ToArray(), finite.Select(p => p.Second).ToArray(), Palette[i++ % Palette.Length]);
            if (series.Count > 1) line.LegendText = phase;
            line.MarkerSize = finite.Length > 40 ? 0 : 4;
        }
        plot.Title(title, 13);
        plot.XLabel("epoch", 12);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (series.Count > 1) plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>Canonical correlation spectrum: training correlations (all available) and test correlations (the k common pairs).</summary>
    public static byte[] Spectrum(IReadOnlyList<double> train, IReadOnlyList<double> test, int shown, int width = 820, int height = 320)
    {
        var plot = new Plot();
        int nTrain = Math.Min(train.Count, shown);
        if (nTrain > 0)
        {
            var s = plot.Add.Scatter(Enumerable.Range(1, nTrain).Select(i => (double)i).ToArray(), train.Take(nTrain).ToArray(), Palette[0]);
            s.LegendText = "train";
            s.MarkerSize = 6;
        }
        if (test.Count > 0)
        {
            var s = plot.Add.Scatter(Enumerable.Range(1, test.Count).Select(i => (double)i).ToArray(), test.ToArray(), Palette[1]);
            s.LegendText = "test";
            s.MarkerSize = 6;
        }
        if (test.Count > 0 && nTrain > test.Count)
        {
            var v = plot.Add.VerticalLine(test.Count + 0.5, 1, Colors.Gray, LinePattern.Dashed);
            v.LegendText = "k (common dims)";
        }
        plot.Axes.SetLimitsY(Math.Min(0, test.Concat(train.Take(nTrain)).DefaultIfEmpty(0).Min()) - 0.02, 1.02);
        plot.Title("Canonical correlations by pair", 13);
        plot.XLabel("canonical pair i", 12);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.YLabel("correlation ρᵢ", 12);
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>Stacked horizontal bars: common / individual / residual fraction of each view's variance.</summary>
    public static byte[] VarianceSplit(IReadOnlyList<string> views, IReadOnlyList<Linear.VarianceSplit> splits, int width = 820, int height = 90)
    {
        var plot = new Plot();
        string[] names = ["common", "individual", "residual"];
        Color[] colors = [Palette[0], Palette[3], Color.FromHex("#c7c7c7")];
        var bars = new List<Bar>();
        for (int v = 0; v < splits.Count; v++)
        {
            double[] parts = [splits[v].Common, splits[v].Individual, splits[v].Residual];
            double start = 0;
            for (int p = 0; p < 3; p++)
            {
                bars.Add(new Bar
                {
                    Position = splits.Count - v,
                    ValueBase = start,
                    Value = start + parts[p],
                    FillColor = colors[p],
                    Label = parts[p] >= 0.06 ? parts[p].ToString("P0", CultureInfo.InvariantCulture) : "",
                    CenterLabel = true,
                });
                start += parts[p];
            }
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.Horizontal = true;
        barPlot.ValueLabelStyle.FontSize = 12;
        barPlot.ValueLabelStyle.ForeColor = Colors.White;
        plot.Axes.Left.SetTicks(Enumerable.Range(0, splits.Count).Select(v => (double)(splits.Count - v)).ToArray(), views.ToArray());
        plot.Axes.SetLimits(0, 1, 0.4, splits.Count + 0.6);
        plot.XLabel("fraction of the view's variance (training rows)", 12);
        plot.Legend.ManualItems.AddRange(Enumerable.Range(0, 3).Select(p => new LegendItem { LabelText = names[p], FillColor = colors[p] }));
        plot.ShowLegend(Edge.Right);
        return plot.GetImageBytes(width, height + 70 * splits.Count, ImageFormat.Png);
    }

    /// <summary>Grouped bars: recall@10 per ordered pair of views from common and from individual variates, with the chance level as a dashed line.</summary>
    public static byte[] Retrieval(IReadOnlyList<string> pairs, IReadOnlyList<double> common, IReadOnlyList<double> individual, double chance,
        int width = 820, int height = 300)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        for (int i = 0; i < pairs.Count; i++)
        {
            double[] values = [common[i], individual[i]];
            for (int s = 0; s < 2; s++)
            {
                if (!double.IsFinite(values[s])) continue;
                bars.Add(new Bar
                {
                    Position = 3 * i + s + 1,
                    Value = values[s],
                    FillColor = Palette[s == 0 ? 0 : 3],
                    Label = values[s].ToString("F2", CultureInfo.InvariantCulture),
                });
            }
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 11;
        if (double.IsFinite(chance))
        {
            var line = plot.Add.HorizontalLine(chance, 1.5f, Colors.Gray, LinePattern.Dashed);
            line.LegendText = "chance";
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, pairs.Count).Select(i => 3 * i + 1.5).ToArray(), pairs.Select(p => $"view {p}").ToArray());
        plot.Axes.SetLimits(0, 3 * pairs.Count, 0, 1.08);
        plot.YLabel("recall@10 (test)", 12);
        plot.Title("Cross-view retrieval", 13);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "common variates", FillColor = Palette[0] });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "individual variates", FillColor = Palette[3] });
        plot.ShowLegend(Edge.Right);   // outside the axes: never over a bar
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>Histogram of a score over samples, with its mean marked.</summary>
    public static byte[] Histogram(string title, string xLabel, IReadOnlyList<double> values, int bins = 40, int width = 380, int height = 270)
    {
        var plot = new Plot();
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length > 0)
        {
            double lo = finite.Min(), hi = finite.Max();
            if (hi <= lo) hi = lo + 1;
            var hist = ScottPlot.Statistics.Histogram.WithBinCount(bins, lo, hi);
            hist.AddRange(finite);
            var bars = plot.Add.Bars(hist.Bins, hist.Counts);
            foreach (var b in bars.Bars)
            {
                b.Size = hist.FirstBinSize * 0.95;
                b.FillColor = Palette[0].WithAlpha(0.8);
                b.LineWidth = 0;
            }
            var mean = plot.Add.VerticalLine(finite.Average(), 2, Palette[1]);
            mean.LegendText = $"mean {finite.Average().ToString("F2", CultureInfo.InvariantCulture)}";
            plot.ShowLegend(Alignment.UpperRight);
            plot.Axes.Margins(bottom: 0);
        }
        plot.Title(title, 13);
        plot.XLabel(xLabel, 12);
        plot.YLabel("samples", 12);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
