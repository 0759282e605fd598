#!/usr/bin/python3
"""Sufficient statistics of sharded paired .npy files on a dask.distributed cluster, for `mucmm fit --stats`.

Each shard is a folder holding view1.npy, view2.npy (… viewM.npy), row i of every file being one paired
sample. Every worker turns its shards into (n, means, co-moments) in float64, reading a shard in row blocks
so that its memory stays bounded; the partial statistics are merged exactly (Chan, Golub & LeVeque 1979)
in a tree on the cluster; the client writes one statistics file (docs/statistics.md) and, with --fit,
runs `mucmm fit --stats` on it.

    python3 stats_dask.py --shards 'data/shard-*' --out stats.npz                      # LocalCluster, 2 workers
    python3 stats_dask.py --shards 'data/shard-*' --out stats.npz --fit runs/cca --model cca --fit-args='--common-dim 3'
    python3 stats_dask.py --scheduler tcp://scheduler:8786 --shards '/shared/emb/shard-*' --out stats.npz

On a real cluster, pass --scheduler ADDRESS and put the shards where every worker can read them
(shared file system or object store paths); see docs/statistics.md.
"""
import argparse
import glob
import json
import os
import shlex
import subprocess
import sys

import numpy as np
from dask.distributed import Client, LocalCluster


def shard_stats(folder, block_rows=65536):
    """(n, [mean_m], {(a, b): comoment}) of the paired view*.npy files in `folder`, block by block."""
    paths = sorted(glob.glob(os.path.join(folder, "view*.npy")), key=lambda p: int(os.path.basename(p)[4:-4]))
    views = [np.load(p, mmap_mode="r") for p in paths]
    rows = views[0].shape[0]
    if len(views) < 2 or any(v.shape[0] != rows for v in views):
        raise ValueError(f"{folder}: need view1.npy, view2.npy, … with the same number of rows")
    total = None
    for start in range(0, rows, block_rows):
        block = [np.asarray(v[start:start + block_rows], dtype=np.float64).reshape(min(block_rows, rows - start), -1) for v in views]
        total = merge(total, block_stats(block))
    return total


def block_stats(xs):
    n = xs[0].shape[0]
    means = [x.mean(axis=0) for x in xs]
    cs = [x - m for x, m in zip(xs, means)]
    como = {(a, b): cs[a].T @ cs[b] for a in range(len(xs)) for b in range(a, len(xs))}
    return n, means, como


def merge(s, t):
    """Exact pairwise merge of two statistics of disjoint rows (Chan et al.: C = Ca + Cb + n_a n_b / n · δ_a δ_bᵀ)."""
    if s is None or s[0] == 0:
        return t
    if t is None or t[0] == 0:
        return s
    (na, ma, ca), (nb, mb, cb) = s, t
    n = na + nb
    delta = [b - a for a, b in zip(ma, mb)]
    means = [a + d * (nb / n) for a, d in zip(ma, delta)]
    como = {k: ca[k] + cb[k] + np.outer(delta[k[0]], delta[k[1]]) * (na * nb / n) for k in ca}
    return n, means, como


def tree_merge(client, futures):
    while len(futures) > 1:
        pairs = [futures[i:i + 2] for i in range(0, len(futures), 2)]
        futures = [client.submit(merge, *p) if len(p) == 2 else p[0] for p in pairs]
    return futures[0]


def write_npz(path, stats, meta):
    n, means, como = stats
    out = {"n": np.int64(n)}
    for m, mean in enumerate(means):
        out[f"mean_{m + 1}"] = mean
    for (a, b), c in como.items():
        out[f"comoment_{a + 1}_{b + 1}"] = c
    out["meta"] = json.dumps(meta)
    tmp = path + ".tmp.npz"
    np.savez(tmp, **out)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shards", required=True, help="glob of shard folders (each with view1.npy, view2.npy, …)")
    ap.add_argument("--out", required=True, help="statistics file to write (.npz)")
    ap.add_argument("--scheduler", help="address of a running scheduler (default: a LocalCluster on this machine)")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    ap.add_argument("--fit", metavar="DIR", help="then run `mucmm fit --stats OUT --out DIR`")
    ap.add_argument("--model", default="linear", choices=["linear", "cca"])
    ap.add_argument("--fit-args", default="", help="more options for mucmm fit, e.g. '--common-dim 3 --ridge 0'")
    ap.add_argument("--mucmm", default="mucmm", help="command that runs mucmm (e.g. 'dotnet Mucmm.Cli.dll')")
    args = ap.parse_args()

    shards = sorted(glob.glob(args.shards))
    if not shards:
        sys.exit(f"no shard folders match {args.shards}")
    if args.scheduler:
        client = Client(args.scheduler)
        cluster = None
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        workers = len(client.scheduler_info()["workers"])
        print(f"cluster: {workers} workers, {len(shards)} shards", flush=True)
        parts = client.map(shard_stats, [os.path.abspath(s) for s in shards])
        stats = tree_merge(client, parts).result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    meta = {"written_by": "examples/dask/stats_dask.py", "shards": [os.path.abspath(s) for s in shards]}
    write_npz(args.out, stats, meta)
    print(f"wrote {args.out}: n = {stats[0]}, view widths {' + '.join(str(m.shape[0]) for m in stats[1])}", flush=True)
    if args.fit:
        cmd = shlex.split(args.mucmm) + ["fit", "--model", args.model, "--stats", args.out, "--out", args.fit, "--quiet"] + shlex.split(args.fit_args)
        print("+ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
        sys.exit(subprocess.call(cmd))


if __name__ == "__main__":
    main()
