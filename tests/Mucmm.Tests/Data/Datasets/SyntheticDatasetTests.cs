using Mucmm.Data;
using Mucmm.Data.Datasets;
using Xunit;

namespace Mucmm.Tests.Data.Datasets;

public class SyntheticDatasetTests
{
    private static readonly SyntheticOptions Small = new() { Samples = 4_000, Seed = 7 };

    [Fact]
    public void Defaults_have_documented_shapes_factors_and_split()
    {
        var (data, truth) = SyntheticDataset.Generate(new SyntheticOptions());
        Assert.Equal("synthetic", data.Name);
        Assert.Equal(10_000, data.Count);
        Assert.Equal(2, data.Views.Count);
        Assert.All(data.Views, v => Assert.Equal(30, v.Cols));
        Assert.Equal(["view1", "view2"], data.Views.Select(v => v.Name));
        Assert.Equal(["common1", "common2", "common3", "individual1_1", "individual1_2", "individual1_3",
            "individual2_1", "individual2_2", "individual2_3"], data.Factors.Keys);
        Assert.Empty(data.Labels);
        Assert.Equal(8_000, data.RowsOf(Split.Train).Length);
        Assert.Equal(1_000, data.RowsOf(Split.Validation).Length);
        Assert.Equal(1_000, data.RowsOf(Split.Test).Length);
        Assert.Equal(3, truth.CommonDim);
        Assert.Equal([3, 3], truth.IndividualDims);
        Assert.Equal(0.1, truth.Noise);
        Assert.Equal(10_000, truth.CommonLatents.GetLength(0));
        Assert.Equal(30, truth.CommonMixing[0].GetLength(0));
    }

    /// <summary>
    /// Oracle: the generator's definition. Subtracting A_m z_c + B_m z_u^m (from the exposed ground
    /// truth) must leave the noise σε: its sample standard deviation over n·d = 120,000 draws is σ
    /// within 1 % (the estimate's relative standard error is 1/sqrt(2·120,000) ≈ 0.2 %), and its
    /// mean is 0 within 5 standard errors.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Ground_truth_reproduces_the_views_up_to_the_noise(bool nonlinear)
    {
        var options = Small with { Nonlinear = nonlinear };
        var (data, truth) = SyntheticDataset.Generate(options);
        for (int m = 0; m < 2; m++)
        {
            var a = truth.CommonMixing[m];
            var b = truth.IndividualMixing[m];
            var zu = truth.IndividualLatents[m];
            int d = a.GetLength(0);
            double rms = Math.Sqrt((options.ResolvedCommonScales().Sum(s => s * s) + options.ResolvedIndividualScales(m).Sum(s => s * s)) / d);
            double sum = 0, sumSq = 0;
            long count = 0;
            for (int row = 0; row < data.Count; row++)
            {
                for (int i = 0; i < d; i++)
                {
                    double s = 0;
                    for (int j = 0; j < 3; j++) s += a[i, j] * truth.CommonLatents[row, j] + b[i, j] * zu[row, j];
                    if (nonlinear) s = Math.Tanh(2 * s / rms);
                    double e = data.Views[m].Data[row * d + i] - s;
                    sum += e;
                    sumSq += e * e;
                    count++;
                }
            }
            double mean = sum / count, sd = Math.Sqrt(sumSq / count - mean * mean);
            Assert.InRange(sd, 0.099, 0.101);
            Assert.InRange(Math.Abs(mean), 0, 5 * 0.1 / Math.Sqrt(count));
        }
    }

    /// <summary>
    /// Oracle: construction — [A_m B_m] is an orthonormal basis scaled by the latents' scales, so
    /// Gram matrix entries are 0 off the diagonal and the squared scales on it (to 1e-12), and the
    /// exposed subspace bases are orthonormal.
    /// </summary>
    [Fact]
    public void Mixing_columns_are_orthogonal_with_the_documented_norms()
    {
        var (_, truth) = SyntheticDataset.Generate(Small);
        double[] scales = [.. Small.ResolvedCommonScales(), .. Small.ResolvedIndividualScales(0)];
        Assert.Equal([3.0, 2.5, 2.0, 1.5, 1.25, 1.0], scales);
        for (int m = 0; m < 2; m++)
        {
            var a = truth.CommonMixing[m];
            var b = truth.IndividualMixing[m];
            int d = a.GetLength(0);
            double Col(int c, int i) => c < 3 ? a[i, c] : b[i, c - 3];
            for (int p = 0; p < 6; p++)
                for (int q = 0; q < 6; q++)
                {
                    double dot = 0;
                    for (int i = 0; i < d; i++) dot += Col(p, i) * Col(q, i);
                    Assert.Equal(p == q ? scales[p] * scales[p] : 0.0, dot, 1e-12);
                }
            var basis = truth.CommonSubspace(m);
            for (int p = 0; p < 3; p++)
            {
                double norm = 0;
                for (int i = 0; i < d; i++) norm += basis[i, p] * basis[i, p];
                Assert.Equal(1.0, norm, 1e-12);
            }
        }
    }

    /// <summary>
    /// Oracle: latents are independent standard normals. With n = 4,000 each sample variance is 1
    /// within 0.1 (> 4 standard errors of √(2/n) ≈ 0.022) and each cross-correlation is below
    /// 4/√n ≈ 0.063; the latents are exported unchanged as factors.
    /// </summary>
    [Fact]
    public void Latents_are_standard_independent_and_exported_as_factors()
    {
        var (data, truth) = SyntheticDataset.Generate(Small);
        int n = data.Count;
        var columns = new List<double[]>();
        for (int j = 0; j < 3; j++) columns.Add(data.Factors[$"common{j + 1}"]);
        for (int m = 0; m < 2; m++)
            for (int j = 0; j < 3; j++)
            {
                var f = data.Factors[$"individual{m + 1}_{j + 1}"];
                for (int row = 0; row < n; row++) Assert.Equal(truth.IndividualLatents[m][row, j], f[row]);
                columns.Add(f);
            }
        for (int row = 0; row < n; row++) Assert.Equal(truth.CommonLatents[row, 1], columns[1][row]);
        foreach (var c in columns) Assert.InRange(c.Select(x => x * x).Average() - Math.Pow(c.Average(), 2), 0.9, 1.1);
        for (int p = 0; p < columns.Count; p++)
            for (int q = p + 1; q < columns.Count; q++)
                Assert.InRange(Math.Abs(Correlation(columns[p], columns[q])), 0, 4 / Math.Sqrt(n));
    }

    [Fact]
    public void Same_seed_gives_the_same_data_and_mixing_does_not_depend_on_n()
    {
        var (a, ta) = SyntheticDataset.Generate(Small);
        var (b, _) = SyntheticDataset.Generate(Small);
        var (c, _) = SyntheticDataset.Generate(Small with { Seed = 8 });
        var (big, tbig) = SyntheticDataset.Generate(Small with { Samples = 5_000 });
        Assert.Equal(a.Views[0].Data, b.Views[0].Data);
        Assert.Equal(a.Splits, b.Splits);
        Assert.NotEqual(a.Views[0].Data, c.Views[0].Data);
        Assert.NotEqual(a.Splits, c.Splits);
        Assert.Equal(ta.CommonMixing[1], tbig.CommonMixing[1]);
        Assert.Equal(a.Views[1].Data, big.Views[1].Data.AsSpan(0, a.Views[1].Data.Length).ToArray());
    }

    [Fact]
    public void More_views_and_custom_dims_are_supported()
    {
        var (data, truth) = SyntheticDataset.Generate(new SyntheticOptions
        {
            Samples = 100, Dims = [10, 12, 8], CommonDim = 2, IndividualDims = [1, 4, 0], Seed = 1,
        });
        Assert.Equal([10, 12, 8], data.Views.Select(v => v.Cols));
        Assert.Equal(4, truth.IndividualMixing[1].GetLength(1));
        Assert.Equal(0, truth.IndividualLatents[2].GetLength(1));
        Assert.Contains("individual2_4", data.Factors.Keys);
    }

    [Fact]
    public void Bad_options_are_user_errors()
    {
        Assert.Throws<MucmmUserException>(() => SyntheticDataset.Generate(new SyntheticOptions { Dims = [4, 30] }));
        Assert.Throws<MucmmUserException>(() => SyntheticDataset.Generate(new SyntheticOptions { Dims = [30] }));
        Assert.Throws<MucmmUserException>(() => SyntheticDataset.Generate(new SyntheticOptions { Noise = double.NaN }));
        Assert.Throws<MucmmUserException>(() => SyntheticDataset.Generate(new SyntheticOptions { Samples = 2 }));
        Assert.Throws<MucmmUserException>(() => SyntheticDataset.Generate(new SyntheticOptions { CommonScales = [1.0] }));
    }

    private static double Correlation(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }
}
