#!/usr/bin/python3
"""NumPy and scikit-learn references for the linear CCA benchmark (10,000 x 784 + 784).

  reference_linear.py generate --out DIR [--rows N]   writes DIR/view{1,2}.npy (float64) and DIR/view{1,2}.f64
                                                      (raw little-endian float64, row-major, for R)
  reference_linear.py numpy --data DIR [--repeats N]  classical CCA (ridge 0): centre, covariances, eigh
                                                      whitening, SVD of the whitened cross-covariance
  reference_linear.py sklearn --data DIR [--components C] [--max-iter M]
                                                      sklearn.cross_decomposition.CCA (iterative NIPALS, one
                                                      component at a time); time extrapolated linearly to all
                                                      min(d1, d2) components

The data: x_m = z A_m + 2 e_m with a 10-dim latent z (the same law as Workloads.SyntheticViews).
Benchmark helper only (bench/compare.sh), never a product or test dependency.
"""
import argparse
import os
import time
import warnings

import numpy as np


def load():
    return ' '.join(open('/proc/loadavg').read().split()[:3])


def report(name, times, extra=''):
    times = sorted(times)
    med = times[len(times) // 2] if len(times) % 2 else 0.5 * (times[len(times) // 2 - 1] + times[len(times) // 2])
    print(f'RESULT {name} min_s={times[0]:.4f} median_s={med:.4f} n={len(times)} load="{load()}" {extra}'.rstrip(), flush=True)


def generate(out, rows):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(1)
    z = rng.standard_normal((rows, 10))
    for m in (1, 2):
        a = rng.standard_normal((10, 784))
        x = z @ a + 2.0 * rng.standard_normal((rows, 784))
        np.save(os.path.join(out, f'view{m}.npy'), x)
        x.astype('<f8').tofile(os.path.join(out, f'view{m}.f64'))
    print(f'wrote {out}/view1.npy, view2.npy ({rows} x 784 float64) and the raw .f64 twins')


def numpy_cca(x, y):
    n = x.shape[0]
    xc = x - x.mean(0); yc = y - y.mean(0)
    sxx = xc.T @ xc / (n - 1); syy = yc.T @ yc / (n - 1); sxy = xc.T @ yc / (n - 1)

    def inv_sqrt(s):
        e, v = np.linalg.eigh(s)
        return (v / np.sqrt(e)) @ v.T

    wx = inv_sqrt(sxx); wy = inv_sqrt(syy)
    u, rho, vt = np.linalg.svd(wx @ sxy @ wy)
    return rho, wx @ u, wy @ vt.T


def main():
    p = argparse.ArgumentParser()
    p.add_argument('mode', choices=['generate', 'numpy', 'sklearn'])
    p.add_argument('--out'); p.add_argument('--data')
    p.add_argument('--rows', type=int, default=10000)
    p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--components', type=int, default=10)
    p.add_argument('--max-iter', type=int, default=500)
    a = p.parse_args()
    if a.mode == 'generate':
        return generate(a.out, a.rows)
    x = np.load(os.path.join(a.data, 'view1.npy')); y = np.load(os.path.join(a.data, 'view2.npy'))
    print(f'# numpy {np.__version__}, threads env OPENBLAS_NUM_THREADS={os.environ.get("OPENBLAS_NUM_THREADS")}, load {load()}', flush=True)
    if a.mode == 'numpy':
        numpy_cca(x, y)
        ts = []
        for _ in range(a.repeats):
            t0 = time.perf_counter(); rho, _, _ = numpy_cca(x, y); ts.append(time.perf_counter() - t0)
        report('numpy_cca', ts, f'rows={x.shape[0]} rho1..3={",".join(f"{r:.10f}" for r in rho[:3])}')
    else:
        import sklearn
        from sklearn.cross_decomposition import CCA
        c = a.components
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            model = CCA(n_components=c, scale=False, max_iter=a.max_iter, tol=1e-6).fit(x, y)
        t = time.perf_counter() - t0
        u, v = model.transform(x, y)
        rho = [np.corrcoef(u[:, i], v[:, i])[0, 1] for i in range(min(3, c))]
        full = min(x.shape[1], y.shape[1])
        report(f'sklearn_cca_{c}', [t], f'sklearn={sklearn.__version__} components={c} max_iter={a.max_iter} '
               f'not_converged_warnings={sum("converge" in str(m.message).lower() for m in w)} '
               f'extrapolated_all_{full}_s={t * full / c:.1f} rho1..3={",".join(f"{r:.10f}" for r in rho)}')


if __name__ == '__main__':
    main()
