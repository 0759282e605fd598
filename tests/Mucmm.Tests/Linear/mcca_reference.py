"""Oracle for MulticcaTests (issue 14): linear MUCMM with M = 3 views, computed independently with SciPy.

Route (independent of the C# code, which whitens by Cholesky and calls eigh on the whitened M-view matrix):
the generalized symmetric eigenproblem C~ w = lambda D~ w (scipy.linalg.eigh(C, D)), D~ = blockdiag of the
ridged within-view covariances S_mm + eps * tr(S_mm)/d_m * I, C~ = the full covariance with its diagonal
blocks replaced by D~ (cca_zoo's MCCA). Then the conventions of docs/method.md 3.2: per view, rescale each
direction to unit mean square (divisor n) on the training rows; sign making the largest-|.| entry of view 1's
direction positive; order by the mean pairwise training correlation (descending). Individual part: top-r
eigenvectors w of C_m = S - S A G^-1 A^T S (A = the view's first K = k directions, G = A^T S A), loadings
(I - A G^-1 A^T S) w / sqrt(lambda (n-1)/n), sign of the largest entry positive.

Run with Debian's python3 (NumPy 1.24, SciPy 1.10): /usr/bin/python3 mcca_reference.py > values (pasted into
MulticcaTests.cs). The data are the closed formula of MulticcaTests.Formula (n = 120; widths 4, 3, 5).
"""
import numpy as np
import scipy.linalg

N, DIMS, K, R = 120, (4, 3, 5), 2, 1


def formula():
    views = []
    for m, d in enumerate(DIMS):
        x = np.empty((N, d))
        for i in range(N):
            z1, z2 = np.sin(0.37 * i), np.cos(0.53 * i + 0.3)
            for j in range(d):
                a, b = np.cos(1.0 + j + 2.0 * m), np.sin(2.0 + 3.0 * j + m)
                x[i, j] = (a * z1 + b * z2 + 0.6 * np.sin(1.3 * (j + 2) * i + 0.7 * m)
                           + 0.4 * (((i * (7 + 3 * j + 5 * m)) % 11) - 5) / 5.0)
        views.append(x)
    return views


def fit(views, eps):
    x = np.hstack(views)
    n = x.shape[0]
    s = np.cov(x, rowvar=False)
    off = np.cumsum((0,) + DIMS)
    blocks = [slice(off[m], off[m + 1]) for m in range(len(DIMS))]
    c = s.copy()
    dmat = np.zeros_like(s)
    for m, b in enumerate(blocks):
        smm = s[b, b]
        ridged = smm + eps * np.trace(smm) / DIMS[m] * np.eye(DIMS[m])
        c[b, b] = ridged
        dmat[b, b] = ridged
    lam, w = scipy.linalg.eigh(c, dmat)
    p = min(DIMS)
    lam, w = lam[::-1][:p], w[:, ::-1][:, :p]
    dirs = [w[b, :] for b in blocks]
    big = np.argmax(np.abs(dirs[0]), axis=0)
    signs = np.where(dirs[0][big, np.arange(p)] < 0, -1.0, 1.0)
    dirs = [d * signs for d in dirs]
    to_ms = (n - 1.0) / n
    dirs = [d / np.sqrt(np.sum((s[b, b] @ d) * d, axis=0) * to_ms) for d, b in zip(dirs, blocks)]
    corr = np.zeros(p)
    pairs = 0
    for a in range(len(DIMS)):
        for bb in range(a + 1, len(DIMS)):
            corr += np.sum((s[blocks[a], blocks[bb]] @ dirs[bb]) * dirs[a], axis=0) * to_ms
            pairs += 1
    corr /= pairs
    reg = (lam - 1) / (len(DIMS) - 1)
    order = np.argsort(-corr, kind="stable")
    dirs = [d[:, order] for d in dirs]
    corr, reg = corr[order], reg[order]
    individual = []
    for m, b in enumerate(blocks):
        smm = s[b, b]
        ak = dirs[m][:, :K]
        g = ak.T @ smm @ ak
        sa = smm @ ak
        cm = smm - sa @ np.linalg.solve(g, sa.T)
        cm = (cm + cm.T) / 2
        lm, wm = np.linalg.eigh(cm)
        lm, wm = lm[::-1][:R], wm[:, ::-1][:, :R]
        proj = np.eye(DIMS[m]) - ak @ np.linalg.solve(g, sa.T)
        load = proj @ wm / np.sqrt(lm * to_ms)
        big = np.argmax(np.abs(load), axis=0)
        load = load * np.where(load[big, np.arange(R)] < 0, -1.0, 1.0)
        individual.append(load)
    return corr, reg, dirs, individual


def cs(values):
    return "{ " + ", ".join(repr(float(v)) for v in np.ravel(values)) + " }"


views = formula()
for eps in (0.0, 1e-3):
    corr, reg, dirs, individual = fit(views, eps)
    print(f"// eps = {eps}")
    print(f"Correlations = new double[] {cs(corr)},")
    print(f"Regularized = new double[] {cs(reg)},")
    print("Common = new[] { " + ", ".join("new double[] " + cs(d[:, :K]) for d in dirs) + " },")
    print("Individual = new[] { " + ", ".join("new double[] " + cs(u) for u in individual) + " },")
