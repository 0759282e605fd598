using Mucmm.Data;
using Mucmm.Data.Datasets;
using Mucmm.Evaluation;
using Mucmm.Linear;
using Mucmm.Numerics;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Linear;

public class PcaModelTests
{
    /// <summary>
    /// Oracle: the SVD of the centred data matrix (LAPACK via torch.linalg.svd, an independent route from
    /// the covariance eigen-decomposition the model uses). The component subspaces agree (largest
    /// principal angle &lt; 1e-6 rad), the outputs have unit mean square (1e-10) and are uncorrelated
    /// (1e-10), and the explained-variance ratio equals Σ top-k s²/Σ s² (1e-10).
    /// </summary>
    [Fact]
    public void Components_match_the_svd_of_the_centred_data()
    {
        var data = DatasetCatalog.Load("synthetic", new DatasetOptions { Seed = 2, Samples = 2000 });
        var model = new PcaOptions { CommonDim = 5 }.Fit(data.AsSplit(Split.Train));
        for (int m = 0; m < 2; m++)
        {
            using var scope = NewDisposeScope();
            var x = LinearAlgebra.FromArray(data.Views[m].Data, data.Count, data.Views[m].Cols);
            var xc = x - x.mean([0], keepdim: true);
            var (_, s, vh) = linalg.svd(xc, fullMatrices: false);
            var top = vh[..5].t();
            double angle = LinearAlgebra.PrincipalAngles(top, model.Loadings(m)).Max();
            Assert.True(angle < 1e-6, $"view {m + 1}: angle {angle}");
            var zm = model.Transform(data.Views).Common[m];
            var gram = zm.t().matmul(zm) / data.Count;
            Assert.True((gram - eye(5, dtype: float64)).abs().max().item<double>() < 1e-10);
            var s2 = s.square();
            Assert.Equal((s2[..5].sum() / s2.sum()).item<double>(), model.ExplainedVarianceRatio(m), 10);
        }
        Assert.Equal([0, 0], model.IndividualDims);
    }

    [Fact]
    public void Save_and_load_round_trip_through_the_model_store()
    {
        var data = DatasetCatalog.Load("synthetic", new DatasetOptions { Seed = 1, Samples = 500 });
        var model = new PcaOptions { CommonDim = 3 }.Fit(data.AsSplit(Split.Train));
        string dir = Path.Combine(TestPaths.NewTempDir(), "pca");
        model.Save(dir);
        var loaded = ModelStore.Load(dir);
        Assert.Equal("pca", loaded.Kind);
        var a = model.Transform(data.Views);
        var b = loaded.Transform(data.Views);
        Assert.Equal(0.0, (a.Common[1] - b.Common[1]).abs().max().item<double>());
    }

    [Fact]
    public void Too_many_components_is_a_user_error()
    {
        var data = DatasetCatalog.Load("synthetic", new DatasetOptions { Seed = 1, Samples = 200 });
        Assert.Contains("1..30", Assert.Throws<MucmmUserException>(() => new PcaOptions { CommonDim = 31 }.Fit(data)).Message);
        Assert.Throws<MucmmUserException>(() => new PcaOptions { CommonDim = 0 }.Fit(data));
    }
}
