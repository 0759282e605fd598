using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Deep.Objectives;

/// <summary>Which correlation measure an objective maximizes between common representations.</summary>
public enum CorrelationMeasure
{
    /// <summary><c>R2(A,B) = ‖T‖²_F = Σ ρᵢ²</c>, computed with Cholesky factors (default; smooth).</summary>
    R2,
    /// <summary><c>R1(A,B) = ‖T‖_* = Σ ρᵢ</c>, the Deep CCA objective (Andrew et al. 2013); SVD backward.</summary>
    R1,
}

/// <summary>
/// Functional correlation measures between two batch matrices (rows = samples). The typed
/// modules <see cref="R2Correlation"/> and <see cref="R1Correlation"/> wrap these.
/// </summary>
/// <remarks>
/// <para>Mathematics (docs/method.md §2). For centered A (n×a) and B (n×b):
/// <c>S_AB = AᵀB/(n−1)</c>, <c>S_AA^ε = S_AA + ε·(tr S_AA / a)·I</c> and
/// <c>T = (S_AA^ε)^(−1/2) S_AB (S_BB^ε)^(−1/2)</c>, whose singular values are the canonical correlations
/// ρ₁ ≥ ρ₂ ≥ …. With Cholesky factors <c>S_AA^ε = L_A L_Aᵀ</c>, <c>W = L_A⁻¹ S_AB L_B⁻ᵀ</c> equals
/// <c>Q_A T Q_B</c> for orthogonal Q's, so it has the same singular values as T; both measures are
/// computed from W by two triangular solves (no eigendecomposition, no SVD for R2).</para>
/// <para>The ridge is relative to the mean variance, so every measure is invariant to rescaling either
/// input (a head cannot shrink its output to dodge a penalty). A matrix whose columns are all constant
/// in the batch has zero variance; its ridge then falls back to a tiny absolute floor, so the measure is
/// exactly 0 (finite, with finite gradients) rather than NaN.</para>
/// <para>All computation is in float64 whatever the input dtype (the inputs are cast; autograd flows
/// back through the cast). A batch needs more rows than the widest matrix:
/// n &gt; max(a, b), otherwise a <see cref="MucmmUserException"/> is thrown.</para>
/// <para>References: Hotelling (1936), canonical correlations; Andrew, Arora, Bilmes &amp; Livescu (2013),
/// "Deep Canonical Correlation Analysis", ICML — R1 is their objective (sum of canonical correlations,
/// with a ridge on the covariances).</para>
/// </remarks>
public static class Correlation
{
    /// <summary>Default relative ridge ε.</summary>
    public const double DefaultRidge = 1e-3;

    /// <summary>Absolute variance floor used only when every column of a matrix is constant in the batch.</summary>
    private const double VarianceFloor = 1e-30;

    /// <summary>
    /// <c>W = L_A⁻¹ S_AB L_B⁻ᵀ</c> (a×b, float64), the whitened cross-covariance whose singular values are
    /// the canonical correlations of <paramref name="a"/> and <paramref name="b"/>.
    /// </summary>
    /// <param name="a">n × a batch (any floating dtype).</param>
    /// <param name="b">n × b batch with the same rows.</param>
    /// <param name="ridge">Relative ridge ε ≥ 0.</param>
    public static Tensor Whitened(Tensor a, Tensor b, double ridge = DefaultRidge)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        CheckShapes(a, b, ridge);
        using var scope = NewDisposeScope();
        long n = a.shape[0];
        var ac = a.to(float64);
        var bc = b.to(float64);
        ac = ac - ac.mean([0], keepdim: true);
        bc = bc - bc.mean([0], keepdim: true);
        var la = CholeskyOfRidged(ac.t().matmul(ac) / (n - 1), ridge);
        var lb = CholeskyOfRidged(bc.t().matmul(bc) / (n - 1), ridge);
        var sab = ac.t().matmul(bc) / (n - 1);
        // L_A⁻¹ S_AB, then (L_B⁻¹ (L_A⁻¹ S_AB)ᵀ)ᵀ = L_A⁻¹ S_AB L_B⁻ᵀ.
        var left = linalg.solve_triangular(la, sab, upper: false);
        var w = linalg.solve_triangular(lb, left.t(), upper: false).t();
        return w.MoveToOuterDisposeScope();
    }

    /// <summary><c>R2(A,B) = ‖L_A⁻¹ S_AB L_B⁻ᵀ‖²_F = Σ ρᵢ²</c>, a float64 scalar.</summary>
    public static Tensor R2(Tensor a, Tensor b, double ridge = DefaultRidge)
    {
        using var scope = NewDisposeScope();
        return Whitened(a, b, ridge).square().sum().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <see cref="R2"/> of several pairs of column groups of one batch at once: a float64 vector with one value per
    /// pair. <paramref name="blocks"/> are n × dᵢ batches (any floating dtype, the same rows); pair p's A is the
    /// concatenation of the blocks <c>pairs[p].A</c> lists, in order, and its B that of <c>pairs[p].B</c>.
    /// </summary>
    /// <remarks>
    /// The same mathematics as <see cref="R2"/> (each group its own relative ridge; equal to it to rounding), computed
    /// once for all pairs: one float64 cast and centering of all blocks side by side, one covariance of all their
    /// columns, one batched Cholesky of every distinct group's ridged covariance block (a group used in several pairs
    /// is factored once), and two batched triangular solves. Blocks are padded to the widest group — a covariance with
    /// an identity block, a cross-covariance with zeros — which leaves every pair's whitened cross-covariance unchanged.
    /// This is what keeps the MUCMM objective's five measures of two views from costing five times the operations.
    /// </remarks>
    public static Tensor R2Pairs(IReadOnlyList<Tensor> blocks, IReadOnlyList<(int[] A, int[] B)> pairs, double ridge = DefaultRidge)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(pairs);
        if (blocks.Count == 0 || pairs.Count == 0) throw new ArgumentException("R2Pairs needs at least one block and one pair");
        long n = blocks[0].shape[0];
        var offsets = new int[blocks.Count + 1];
        for (int i = 0; i < blocks.Count; i++)
        {
            if (blocks[i].dim() != 2) throw new ArgumentException($"correlation measures take matrices, got a {blocks[i].dim()}-d tensor");
            if (blocks[i].shape[0] != n) throw new ArgumentException($"correlation measures need paired rows, got {n} and {blocks[i].shape[0]}");
            offsets[i + 1] = offsets[i] + (int)blocks[i].shape[1];
        }
        CheckRidge(ridge);
        int total = offsets[^1];
        // The distinct groups (a group is a list of blocks) and the columns of each.
        var groups = new List<int[]>();
        int GroupOf(int[] list)
        {
            int g = groups.FindIndex(x => x.SequenceEqual(list));
            if (g < 0) { groups.Add(list); g = groups.Count - 1; }
            return g;
        }
        var pairGroups = pairs.Select(p => (A: GroupOf(p.A), B: GroupOf(p.B))).ToArray();
        var columns = groups.Select(list => list.SelectMany(i => Enumerable.Range(offsets[i], offsets[i + 1] - offsets[i])).ToArray()).ToArray();
        if (columns.Any(c => c.Length == 0)) throw new ArgumentException("every group of a correlation measure needs at least one column");
        foreach (var (a, b) in pairGroups) RequireRows(n, Math.Max(columns[a].Length, columns[b].Length));
        int width = columns.Max(c => c.Length);

        using var scope = NewDisposeScope();
        var device = blocks[0].device;
        var z = cat(blocks.Where(x => x.shape[1] > 0).ToArray(), 1).to(float64);
        z = z - z.mean([0], keepdim: true);
        var s = z.t().matmul(z) / (n - 1);
        // Padded blocks are gathered from the covariance's entries followed by the constants 0 and 1.
        var entries = cat([s.flatten(), tensor(new[] { 0.0, 1.0 }, dtype: float64, device: device)]);
        long zero = (long)total * total, one = zero + 1;
        Tensor Gather(IReadOnlyList<(int[] Rows, int[] Cols)> parts, bool identityPad)
        {
            var index = new long[parts.Count * width * width];
            for (int p = 0; p < parts.Count; p++)
                for (int i = 0; i < width; i++)
                    for (int j = 0; j < width; j++)
                        index[(p * width + i) * width + j] = i < parts[p].Rows.Length && j < parts[p].Cols.Length
                            ? (long)parts[p].Rows[i] * total + parts[p].Cols[j]
                            : identityPad && i == j ? one : zero;
            return entries.index_select(0, tensor(index, dtype: int64, device: device)).view(parts.Count, width, width);
        }
        var covariances = Gather(columns.Select(c => (c, c)).ToArray(), identityPad: true);
        if (ridge > 0)
        {
            // ε·(tr S / d) on each group's own diagonal entries, or the absolute floor when the group is all constant.
            var mean = new double[groups.Count * total];
            var diagonal = new double[groups.Count * width * width];
            for (int g = 0; g < groups.Count; g++)
            {
                foreach (int c in columns[g]) mean[g * total + c] = 1.0 / columns[g].Length;
                for (int i = 0; i < columns[g].Length; i++) diagonal[(g * width + i) * width + i] = 1.0;
            }
            var scale = tensor(mean, dtype: float64, device: device).view(groups.Count, total).matmul(s.diagonal()).clamp_min(VarianceFloor) * ridge;
            covariances = covariances + tensor(diagonal, dtype: float64, device: device).view(groups.Count, width, width) * scale.view(-1, 1, 1);
        }
        var (l, info) = linalg.cholesky_ex(covariances);
        if (info.ne(0).any().item<bool>())
        {
            int failed = Array.FindIndex(info.data<int>().ToArray(), v => v != 0);
            throw Singular(columns[failed].Length);
        }
        var cross = Gather(pairGroups.Select(p => (columns[p.A], columns[p.B])).ToArray(), identityPad: false);
        var la = l.index_select(0, tensor(pairGroups.Select(p => (long)p.A).ToArray(), dtype: int64, device: device));
        var lb = l.index_select(0, tensor(pairGroups.Select(p => (long)p.B).ToArray(), dtype: int64, device: device));
        // L_A⁻¹ S_AB, then L_B⁻¹ (L_A⁻¹ S_AB)ᵀ = Wᵀ, whose squared entries sum to R2.
        var left = linalg.solve_triangular(la, cross, upper: false);
        var wt = linalg.solve_triangular(lb, left.transpose(1, 2), upper: false);
        return wt.square().sum([1, 2]).MoveToOuterDisposeScope();
    }

    /// <summary><c>R1(A,B) = ‖T‖_* = Σ ρᵢ</c> (Deep CCA), a float64 scalar; its backward goes through an SVD.</summary>
    public static Tensor R1(Tensor a, Tensor b, double ridge = DefaultRidge)
    {
        using var scope = NewDisposeScope();
        return linalg.svdvals(Whitened(a, b, ridge)).sum().MoveToOuterDisposeScope();
    }

    /// <summary>The measure <paramref name="measure"/> of <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static Tensor Measure(CorrelationMeasure measure, Tensor a, Tensor b, double ridge = DefaultRidge) => measure switch
    {
        CorrelationMeasure.R2 => R2(a, b, ridge),
        CorrelationMeasure.R1 => R1(a, b, ridge),
        _ => throw new ArgumentOutOfRangeException(nameof(measure), measure, "unknown correlation measure"),
    };

    /// <summary>
    /// Throws <see cref="MucmmUserException"/> unless a batch of <paramref name="rows"/> rows is larger than
    /// <paramref name="widest"/>, the widest matrix entering a correlation measure.
    /// </summary>
    public static void RequireRows(long rows, long widest)
    {
        if (rows <= widest)
            throw new MucmmUserException(
                $"a batch of {rows} rows is too small for a correlation measure over {widest} columns: " +
                $"a batch needs more than {widest} rows (raise DeepTrainingOptions.BatchSize or lower the common/individual dimensions)");
    }

    private static void CheckShapes(Tensor a, Tensor b, double ridge)
    {
        if (a.dim() != 2 || b.dim() != 2)
            throw new ArgumentException($"correlation measures take matrices, got {a.dim()}-d and {b.dim()}-d tensors");
        if (a.shape[0] != b.shape[0])
            throw new ArgumentException($"correlation measures need paired rows, got {a.shape[0]} and {b.shape[0]}");
        CheckRidge(ridge);
        RequireRows(a.shape[0], Math.Max(a.shape[1], b.shape[1]));
    }

    private static void CheckRidge(double ridge)
    {
        if (!(ridge >= 0) || double.IsInfinity(ridge))
            throw new MucmmUserException($"the ridge must be a finite number ≥ 0, got {ridge}");
    }

    private static MucmmUserException Singular(long d) => new(
        $"a correlation measure's covariance matrix ({d}×{d}) is singular in this batch (constant or collinear columns); use a ridge > 0");

    private static Tensor CholeskyOfRidged(Tensor s, double ridge)
    {
        long d = s.shape[0];
        // ε·(tr S / d), or the absolute floor when every column is constant (tr S = 0).
        var ridged = ridge == 0
            ? s
            : s + eye(d, dtype: float64, device: s.device) * (s.diagonal().mean().clamp_min(VarianceFloor) * ridge);
        var (l, info) = linalg.cholesky_ex(ridged);
        if (info.item<int>() != 0) throw Singular(d);
        return l;
    }
}
