#!/usr/bin/python3
"""PyTorch twin of the Deep CCA / deep MUCMM training step timed by `Mucmm.Bench step`.

Same model (two MLPs 784-1024-1024-1024-k, ReLU, float32), same batch (1,024 uniform rows per view),
same optimizer (Adam, lr 1e-4), same objective computed the same way (float64 cast, centring,
covariances with a ridge relative to the mean variance (1e-3), Cholesky, two triangular solves,
sum of singular values = R1 for Deep CCA; R2 = squared Frobenius norm for MUCMM's terms).
Benchmark helper only (bench/compare.sh), never a product or test dependency.

usage: reference_step.py [--model dcca|mucmm] [--iters N] [--warmup W] [--threads T] [--matmul]
prints RESULT lines in the same format as the C# quick modes.
"""
import argparse
import os
import time

import torch

WIDTH, HIDDEN, BATCH, K, R, RIDGE, DECODER_HIDDEN = 784, 1024, 1024, 10, 10, 1e-3, 512


class ViewNet(torch.nn.Module):
    """Mucmm.Deep.ViewNetwork's layers: MLP encoder 784-1024-1024-1024 (ReLU), linear heads -> k (and -> r),
    for MUCMM a decoder (k+r)-512-784."""

    def __init__(self, mucmm):
        super().__init__()
        self.encoder = torch.nn.Sequential(
            torch.nn.Linear(WIDTH, HIDDEN), torch.nn.ReLU(),
            torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.ReLU(),
            torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.ReLU())
        self.common = torch.nn.Linear(HIDDEN, K)
        self.individual = torch.nn.Linear(HIDDEN, R) if mucmm else None
        self.decoder = torch.nn.Sequential(torch.nn.Linear(K + R, DECODER_HIDDEN), torch.nn.ReLU(),
                                           torch.nn.Linear(DECODER_HIDDEN, WIDTH)) if mucmm else None

    def forward(self, x):
        h = self.encoder(x)
        c = self.common(h)
        if self.individual is None:
            return c, None, None
        u = self.individual(h)
        return c, u, self.decoder(torch.cat([c, u], 1))


def whitened(a, b, ridge=RIDGE):
    n = a.shape[0]
    a = a.double(); b = b.double()
    a = a - a.mean(0, keepdim=True); b = b - b.mean(0, keepdim=True)

    def chol(s):
        d = s.shape[0]
        s = s + torch.eye(d, dtype=torch.float64) * (s.diagonal().mean().clamp_min(1e-30) * ridge)
        return torch.linalg.cholesky(s)

    la = chol(a.t() @ a / (n - 1)); lb = chol(b.t() @ b / (n - 1))
    sab = a.t() @ b / (n - 1)
    left = torch.linalg.solve_triangular(la, sab, upper=False)
    return torch.linalg.solve_triangular(lb, left.t(), upper=False).t()


def r1(a, b): return torch.linalg.svdvals(whitened(a, b)).sum()
def r2(a, b): return whitened(a, b).square().sum()


def rel_rec(t, r):
    t = t.double(); r = r.double()
    return (t - r).square().sum() / (t - t.mean(0, keepdim=True)).square().sum().clamp_min(1e-300)


def load():
    s = open('/proc/loadavg').read().split()
    return ' '.join(s[:3])


def report(name, times, extra=''):
    times = sorted(times)
    med = times[len(times) // 2] if len(times) % 2 else 0.5 * (times[len(times) // 2 - 1] + times[len(times) // 2])
    print(f'RESULT {name} min_s={times[0]:.4f} median_s={med:.4f} n={len(times)} load="{load()}" {extra}'.rstrip(), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--model', default='dcca', choices=['dcca', 'mucmm'])
    p.add_argument('--iters', type=int, default=10)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--threads', type=int, default=int(os.environ.get('MUCMM_THREADS', os.cpu_count())))
    p.add_argument('--matmul', action='store_true', help='also time a 4096x4096 float32 product')
    p.add_argument('--tag', default='', help='suffix of the RESULT name (e.g. passive)')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    print(f'# python torch {torch.__version__}, threads {torch.get_num_threads()}, OMP_WAIT_POLICY {os.environ.get("OMP_WAIT_POLICY", "default")}, load {load()}', flush=True)
    torch.manual_seed(0)

    if args.matmul:
        a = torch.randn(4096, 4096); b = torch.randn(4096, 4096)
        a @ b
        ts = []
        for _ in range(3):
            t0 = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t0)
        report('py_matmul4096', ts, f'gflops_min={2 * 4096 ** 3 / min(ts) / 1e9:.1f}')

    mucmm = args.model == 'mucmm'
    nets = torch.nn.ModuleList([ViewNet(mucmm), ViewNet(mucmm)])
    opt = torch.optim.Adam(nets.parameters(), lr=1e-4)
    x = [torch.rand(BATCH, WIDTH), torch.rand(BATCH, WIDTH)]

    def step():
        opt.zero_grad()
        (c0, u0, d0), (c1, u1, d1) = nets[0](x[0]), nets[1](x[1])
        if not mucmm:
            loss = -r1(c0, c1)
        else:
            z0 = torch.cat([c0, u0], 1); z1 = torch.cat([c1, u1], 1)
            loss = -r2(c0, c1) \
                + r2(u0, z1) + r2(u1, z0) \
                + r2(u0, c0) + r2(u1, c1) \
                + rel_rec(x[0], d0) + rel_rec(x[1], d1)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(args.warmup): step()
    ts = []
    c0 = time.process_time()
    for _ in range(args.iters):
        t0 = time.perf_counter(); step(); ts.append(time.perf_counter() - t0)
    cpu = (time.process_time() - c0) / args.iters
    report(f'py_step_{args.model}' + (f'_{args.tag}' if args.tag else ''), ts, f'cpu_s_per_call={cpu:.4f}')


if __name__ == '__main__':
    main()
