using Mucmm.Data;
using Mucmm.Deep;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Deep;

public class TensorPairTests
{
    /// <summary>
    /// Oracle: LibTorch's own float64 → float32 conversion, <c>tensor(rows, float64).to(float32)</c> of the rows picked by
    /// <c>Select</c>, tolerance 0 — the training tensors are written straight from the views' rows, and a fit must not change
    /// by a bit. Rows in a scrambled order with repeats, values at scales where float32 rounds (1e-30 … 1e30, halfway cases
    /// of float32 and an odd width beyond the vector loop), and no rows at all.
    /// </summary>
    [Fact]
    public void RowsAreLibTorchsFloat32OfTheSelectedRows()
    {
        var random = new Random(5);
        double Value(int i) => i % 5 switch
        {
            0 => random.NextDouble() * 1e30 - 5e29,
            1 => (random.NextDouble() - 0.5) * 1e-30,
            2 => 1 + (2 * random.Next(1000) + 1) * Math.Pow(2, -24),   // exactly halfway between two floats
            _ => random.NextDouble() * 200 - 100,
        };
        var data = new PairedDataset("t",
            [new View("a", ViewKind.Vector, [7], Enumerable.Range(0, 40 * 7).Select(Value).ToArray()),
             new View("b", ViewKind.Vector, [33], Enumerable.Range(0, 40 * 33).Select(Value).ToArray())],
            Enumerable.Repeat(Split.Train, 40).ToArray());
        foreach (int[] rows in new[] { new[] { 39, 0, 17, 17, 5, 22 }, Enumerable.Range(0, 40).ToArray(), Array.Empty<int>() })
        {
            using var scope = NewDisposeScope();
            using var pair = new TensorPair(data, rows, CPU);
            var picked = data.Select(rows);
            for (int m = 0; m < 2; m++)
            {
                var expected = tensor(picked.Views[m].Data, [rows.Length, picked.Views[m].Cols], dtype: float64).to(float32);
                Assert.Equal(expected.shape, pair.X[m].shape);
                Assert.Equal(float32, pair.X[m].dtype);
                if (rows.Length > 0) Assert.Equal(expected.data<float>().ToArray(), pair.X[m].data<float>().ToArray());
            }
        }
    }
}
