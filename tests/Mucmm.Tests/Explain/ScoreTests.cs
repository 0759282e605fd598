using Mucmm.Explain;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Explain;

public class ScoreTests
{
    private static readonly FixedModel Model = new([5, 4], 3, [2, 0], seed: 1);

    /// <summary>
    /// Oracle: the definitions of docs/method.md §5, computed by hand from the variates:
    /// S_c = Σᵢ c1ᵢ c2ᵢ, S_u¹ = (1/r₁) Σᵢ u1ᵢ², single variates, and the terms common:i sum to S_c.
    /// Tolerance 1e-12.
    /// </summary>
    [Fact]
    public void ScoresFollowTheirDefinitions()
    {
        using var scope = NewDisposeScope();
        var c1 = tensor(new double[] { 1, 2, 3, -1, 0, 2 }, new long[] { 2, 3 }, dtype: float64);
        var c2 = tensor(new double[] { 2, 1, -1, 4, 5, 6 }, new long[] { 2, 3 }, dtype: float64);
        var u1 = tensor(new double[] { 3, 4, 1, 1 }, new long[] { 2, 2 }, dtype: float64);
        var u2 = zeros(2, 0, dtype: float64);
        var output = new MultiviewOutput([c1, c2], [u1, u2]);
        double[] Eval(string name) => Score.Parse(name, Model).Evaluate(output).data<double>().ToArray();
        Assert.Equal([2 + 2 - 3, -4 + 0 + 12], Eval("common"));
        Assert.Equal([12.5, 1.0], Eval("individual1"));
        Assert.Equal([3.0, 2.0], Eval("common1:3"));
        Assert.Equal([-1.0, 6.0], Eval("common2:3"));
        Assert.Equal([4.0, 1.0], Eval("individual1:2"));
        var terms = Enumerable.Range(1, 3).Select(i => Eval($"common:{i}")).ToArray();
        for (int r = 0; r < 2; r++) Assert.Equal(Eval("common")[r], terms.Sum(t => t[r]), 12);
        Assert.Equal([0.0, 0.0], Score.Individual(2).Evaluate(output).data<double>().ToArray());
    }

    [Theory]
    [InlineData("commonn")]
    [InlineData("individual")]
    [InlineData("individual3")]
    [InlineData("individual2")]       // view 2 has no individual variates
    [InlineData("individual1:3")]     // r₁ = 2
    [InlineData("common:0")]
    [InlineData("common:4")]          // k = 3
    [InlineData("common1")]
    [InlineData("common:99999999999")]
    [InlineData("")]
    public void UnknownScoresAreUserErrors(string name)
    {
        var ex = Assert.Throws<MucmmUserException>(() => Score.Parse(name, Model));
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void NamesRoundTrip()
    {
        foreach (string name in new[] { "common", "common:2", "common2:1", "individual1", "individual1:2" })
            Assert.Equal(name, Score.Parse(name.ToUpperInvariant(), Model).Name);
        Assert.Equal(["common", "individual1", "individual2"], Score.Standard(2).Select(s => s.Name));
    }

    /// <summary>
    /// Oracle: the batched scores equal the same definitions applied to one forward pass of all rows
    /// (batch size 3 over 10 rows exercises a partial last batch). Tolerance 1e-12.
    /// </summary>
    [Fact]
    public void BatchedScoresEqualOneForwardPass()
    {
        using var scope = NewDisposeScope();
        var g = new TorchSharp.torch.Generator(3);
        var x1 = randn(10, 5, dtype: float64, generator: g);
        var x2 = randn(10, 4, dtype: float64, generator: g);
        var views = new[]
        {
            new Mucmm.Data.View("a", Mucmm.Data.ViewKind.Vector, [5], x1.data<double>().ToArray()),
            new Mucmm.Data.View("b", Mucmm.Data.ViewKind.Vector, [4], x2.data<double>().ToArray()),
        };
        var batched = ForwardBatches.Transform(Model, views, rows: 3);
        var table = Score.Standard(2).Select(s => s.Evaluate(batched).data<double>().ToArray()).ToArray();
        var output = Model.Forward([x1, x2]);
        var expected = (Model.A[0].T.matmul(x1.T) * Model.A[1].T.matmul(x2.T)).sum([0]).data<double>().ToArray();
        for (int i = 0; i < 10; i++) Assert.Equal(expected[i], table[0][i], 12);
        var ind = output.Individual[0].square().mean([1]).data<double>().ToArray();
        for (int i = 0; i < 10; i++) Assert.Equal(ind[i], table[1][i], 12);
        Assert.All(table[2], v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void IncompatibleDataIsAUserError()
    {
        var views = new[]
        {
            new Mucmm.Data.View("a", Mucmm.Data.ViewKind.Vector, [6], new double[12]),
            new Mucmm.Data.View("b", Mucmm.Data.ViewKind.Vector, [4], new double[8]),
        };
        Assert.Throws<MucmmUserException>(() => Scores.Compute(Model, views, Score.Standard(2)));
        Assert.Throws<MucmmUserException>(() => Scores.Compute(Model, views[..1], Score.Standard(2)));
    }
}
