#!/usr/bin/env python3
"""Per-layer time of ResNet18's convolutions: oneDNN in our forward vs ONNX Runtime, from one log of

    ONEDNN_VERBOSE=1 MUCMM_THREADS=2 Mucmm.Bench onnx --batch 32 --rounds 3 --ort-profile > log.txt 2>&1
    /usr/bin/python3 bench/onednn_layers.py log.txt

oneDNN's exec lines (wall ms per primitive execution) are summed per convolution shape and divided by the number of
forwards (the count of stem executions); ORT's `# ort_node` lines are already means per run (its Conv nodes carry the
fused BatchNormalization, Relu and residual Add). Grouped by (in channels, out channels, input size, kernel, stride);
prints ms per forward of each engine and their ratio, then the other oneDNN primitives (weight reorders) and ORT's
non-Conv nodes. Both engines ran in one process, interleaved batch by batch (same load), but the times are wall times.
"""
import collections, json, re, sys

ours, reorders, forwards = collections.defaultdict(float), collections.defaultdict(float), 0
ort, ort_other, ort_layers = collections.defaultdict(float), collections.defaultdict(float), collections.Counter()
for line in open(sys.argv[1], errors="replace"):
    if line.startswith("onednn_verbose") and ",exec," in line:
        f = line.rstrip().split(",")
        kind, ms = f[5], float(f[-1])
        if kind == "convolution":
            m = re.search(r"mb(\d+)_ic(\d+)oc(\d+)_ih(\d+)oh\d+kh(\d+)sh(\d+)", f[-2])
            _, ic, oc, ih, kh, sh = map(int, m.groups())
            ours[(ic, oc, ih, kh, sh)] += ms
            if ic == 3: forwards += 1
        else:
            reorders[f"{kind} {f[6]}"] += ms
    elif line.startswith("# ort_node "):
        m = re.match(r"# ort_node (\S+) ([\d.]+) ms name=(\S+) in=(\S*) out=(\S*)", line.strip())
        op, ms, name, ins, outs = m.group(1), float(m.group(2)), m.group(3), m.group(4), m.group(5)
        if op == "Conv":
            shapes = [list(d.values())[0] for d in json.loads(ins)]
            x, w = shapes[0], shapes[1]
            out = list(json.loads(outs)[0].values())[0]
            key = (x[1], w[0], x[2], w[2], x[2] // out[2])
            ort[key] += ms
            ort_layers[key] += 1
        else:
            ort_other[op] += ms
if forwards == 0:
    sys.exit("no oneDNN stem convolution in the log (ONEDNN_VERBOSE=1?)")
print(f"{forwards} forwards of ours; per forward, wall ms (same process, interleaved with ORT)")
print(f"{'in→out, size, kernel/stride':<32}{'layers':>7}{'ours (oneDNN)':>15}{'ORT (MLAS)':>12}{'ours/ORT':>10}")
tot_o = tot_r = 0.0
for key in sorted(ours, key=lambda k: (k[2] * -1, k[0])):
    ic, oc, ih, kh, sh = key
    o, r = ours[key] / forwards, ort.get(key, float("nan"))
    tot_o += o; tot_r += r
    print(f"{f'{ic}→{oc}, {ih}², {kh}×{kh}/{sh}':<32}{ort_layers[key]:>7}{o:>15.1f}{r:>12.1f}{o / r:>10.2f}")
print(f"{'all convolutions':<32}{sum(ort_layers.values()):>7}{tot_o:>15.1f}{tot_r:>12.1f}{tot_o / tot_r:>10.2f}")
for k, v in sorted(reorders.items(), key=lambda kv: -kv[1]):
    print(f"ours, other oneDNN: {k}: {v / forwards:.1f} ms per forward")
for k, v in sorted(ort_other.items(), key=lambda kv: -kv[1]):
    print(f"ORT, other nodes: {k}: {v:.1f} ms per run")
