#!/usr/bin/env bash
# Side-by-side benchmark (issue 7): this project vs PyTorch, NumPy, R and scikit-learn, on this machine,
# in one go, same threads. Prints every RESULT line and each pair's time ratio (ours / theirs; < 1 means
# we are faster). Ratios use the minimum over repeats (least disturbed by other processes); medians are
# in the RESULT lines. Never part of `dotnet test` and no dependency of the product.
#
#   bench/compare.sh                 everything (about 5-10 minutes on an idle 2-core machine)
#   THREADS=1 bench/compare.sh       single-threaded everywhere
#   SKIP_SKLEARN=1 bench/compare.sh  skip the slow scikit-learn CCA
#   ITERS=10 REPEATS=5               timed training steps / linear repeats
#   STREAM=1 bench/compare.sh        also the streamed 1,000,000 x 784 + 784 fit from .npy (generates
#                                    2 x 3.1 GB under $STREAM_DIR once; needs ~7 GB free): read only,
#                                    read + accumulate, read + accumulate + fit, and `mucmm fit` itself
#   STATS=1 bench/compare.sh         also `mucmm stats` on those files (next to the read-only pass) and the merge
#                                    of 100 statistics files of 784 + 784 columns (~2 GB under $STREAM_DIR/shards)
#   DEMO=1 bench/compare.sh          also `mucmm demo --quick` (wall time)
#   SKIP_ONNX=1 bench/compare.sh     skip ResNet18 224 px batch 32 forward, TorchSharp importer vs ONNX Runtime
#   ONNX=only bench/compare.sh       only that ResNet18 comparison, then exit: the two engines in separate processes,
#                                    alternately (ours, ORT, ours, ORT, ... ONNX_PROCS pairs, default 3; ONNX_ROUNDS
#                                    batches each, default 5), and the ratio of the medians; ONNX_INTERLEAVED=1 adds
#                                    the one-process interleaved run (ours, ORT, ours unfolded, batch by batch)
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-$(nproc)}
ITERS=${ITERS:-10}
REPEATS=${REPEATS:-5}
SK_COMPONENTS=${SK_COMPONENTS:-10}
DATA=${DATA:-/tmp/mucmm-linear}
OUT=${OUT:-/tmp/mucmm-compare.txt}
PY=/usr/bin/python3

# --- what the references need (Debian packages; OpenBLAS so NumPy/R/PyTorch get an optimized BLAS) ---
need=()
for pkg in python3-torch python3-numpy python3-scipy python3-sklearn r-base-core libopenblas0-pthread; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if ((${#need[@]})) && [ "${ONNX:-}" != only ]; then
  echo "installing ${need[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

export MUCMM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS
dotnet build bench/Mucmm.Bench -c Release -v q -nologo >/dev/null
BENCH=bench/Mucmm.Bench/bin/Release/net10.0/Mucmm.Bench

: > "$OUT"
run() { echo "+ $*" >&2; "$@" 2>&1 | tee -a "$OUT" | grep -E '^(RESULT|#)' ; }
# ResNet18 forward, one engine per process (an idle engine's threads never sit beside the other's batch), alternating
# ours / ORT so that both see the same drift of the load; the figure is the ratio of the medians over the processes
# of each process's median images/s (and of CPU seconds per batch).
onnx_separate() {
  local log; log=$(mktemp)
  for i in $(seq "${ONNX_PROCS:-3}"); do
    for engine in ours ort; do
      echo "+ $BENCH onnx --engine $engine --batch 32 --rounds ${ONNX_ROUNDS:-5}   (pair $i)" >&2
      echo "# onnx --engine $engine, pair $i, $(date -u '+%T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT" "$log"
      "$BENCH" onnx --engine "$engine" --batch 32 --rounds "${ONNX_ROUNDS:-5}" 2>&1 | tee -a "$OUT" "$log" | grep -E '^(RESULT|#)'
    done
  done
  awk '
    function median(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
                                       return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }
    /^RESULT onnx_resnet18_(torchsharp|ort) / {
      e = ($2 == "onnx_resnet18_ort") ? "ort" : "ours"
      n[e]++
      for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "images_per_s_median") ips[e, n[e]] = kv[2] + 0; if (kv[1] == "cpu_s_per_call") cpu[e, n[e]] = kv[2] + 0 }
    }
    END {
      if (!n["ours"] || !n["ort"]) { print "# onnx: no result to compare"; exit }
      for (i = 1; i <= n["ours"]; i++) { a[i] = ips["ours", i]; c[i] = cpu["ours", i] }
      for (i = 1; i <= n["ort"]; i++) { b[i] = ips["ort", i]; d[i] = cpu["ort", i] }
      mo = median(a, n["ours"]); mt = median(b, n["ort"]); co = median(c, n["ours"]); ct = median(d, n["ort"])
      printf "RESULT onnx_resnet18_separate ratio_of_medians=%.3f cpu_ratio_of_medians=%.3f ours_images_per_s=%.2f ort_images_per_s=%.2f ours_cpu_s=%.4f ort_cpu_s=%.4f processes=%d+%d\n", mo / mt, ct / co, mo, mt, co, ct, n["ours"], n["ort"]
    }' "$log" | tee -a "$OUT"
  rm -f "$log"
}
{
  echo "# compare.sh $(date -u '+%F %T') UTC; $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); threads $THREADS; load $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$OUT"
if [ "${ONNX:-}" = only ]; then
  onnx_separate
  [ -z "${ONNX_INTERLEAVED:-}" ] || run $BENCH onnx --batch 32 --rounds "${ONNX_ROUNDS:-5}" --unfolded
  echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT"
  exit 0
fi

[ -f "$DATA/view1.npy" ] && [ -f "$DATA/view2.f64" ] || $PY bench/reference_linear.py generate --out "$DATA"

# (a) training step: Deep CCA (and deep MUCMM), same model, batch, optimizer, objective
run $BENCH matmul --repeats 3
run $PY bench/reference_step.py --model dcca --iters "$ITERS" --threads "$THREADS" --matmul
run $BENCH step --model dcca --iters "$ITERS"
# PyTorch again with the OpenMP wait policy Mucmm sets for itself (NativeRuntime.PrepareOpenMp)
run env OMP_WAIT_POLICY=PASSIVE $PY bench/reference_step.py --model dcca --iters "$ITERS" --threads "$THREADS" --tag passive
run $PY bench/reference_step.py --model mucmm --iters "$ITERS" --threads "$THREADS"
run $BENCH step --model mucmm --iters "$ITERS"
# roofline: matmul rate and the steps' fraction of it, measured interleaved (same load)
run $BENCH roofline --rounds 3 --model dcca
run $BENCH roofline --rounds 2 --model mucmm
# (b, c) linear CCA on 10,000 x 784 + 784 (classical, ridge 0, all 784 pairs)
run $PY bench/reference_linear.py numpy --data "$DATA" --repeats "$REPEATS"
run Rscript bench/reference_cancor.R "$DATA" 3
run $BENCH linear --view1 "$DATA/view1.npy" --view2 "$DATA/view2.npy" --repeats "$REPEATS"
if [ -z "${SKIP_SKLEARN:-}" ]; then
  run $PY bench/reference_linear.py sklearn --data "$DATA" --components "$SK_COMPONENTS"
fi

# (e) ONNX: the package ResNet18 at 224 px, batch 32, imported graph in TorchSharp vs ONNX Runtime (docs/pretrained.md)
if [ -z "${SKIP_ONNX:-}" ]; then
  # one engine per process, alternating (ratio of medians); ONNX_INTERLEAVED=1 also the one-process interleaved
  # rounds (ours, ORT, ours unfolded, …), whose per-round ratio is under the same load
  onnx_separate
  [ -z "${ONNX_INTERLEAVED:-}" ] || run $BENCH onnx --batch 32 --rounds "${ONNX_ROUNDS:-5}" --unfolded
  # ONNX=only: just this section (quick mode), e.g. ONNX=only ONNX_PROCS=5 ONNX_ROUNDS=7 bench/compare.sh
fi

# (d) streamed 1M-row linear fit: wall time and peak RSS of each phase, each in its own process
if [ -n "${STREAM:-}" ]; then
  SD=${STREAM_DIR:-/tmp/mucmm-stream}
  [ -f "$SD/view2.npy" ] || run $BENCH stream generate --dir "$SD" --rows 1000000
  run $BENCH stream read --dir "$SD"
  run $BENCH stream accumulate --dir "$SD"
  run $BENCH stream fit --dir "$SD"
  dotnet build src/Mucmm.Cli -c Release -v q -nologo >/dev/null
  rm -rf /tmp/mucmm-stream-fit
  /usr/bin/time -f "RESULT cli_fit_streamed wall_s=%e user_s=%U sys_s=%S peak_rss_kib=%M load=\"$(cut -d' ' -f1-3 /proc/loadavg)\"" \
    src/Mucmm.Cli/bin/Release/net10.0/Mucmm.Cli fit --model linear --view1 "$SD/view1.npy" --view2 "$SD/view2.npy" \
    --split all --out /tmp/mucmm-stream-fit --force 2>&1 | tee -a "$OUT" | grep -E '^RESULT'
fi
# (e) statistics files (issue 16): `mucmm stats` on the streamed files next to the read-only pass, and the
#     merge of 100 statistics files of 784 + 784 columns (library phase, then `mucmm stats --merge`)
if [ -n "${STATS:-}" ]; then
  SD=${STREAM_DIR:-/tmp/mucmm-stream}
  [ -f "$SD/view2.npy" ] || run $BENCH stream generate --dir "$SD" --rows 1000000
  dotnet build src/Mucmm.Cli -c Release -v q -nologo >/dev/null
  CLI=src/Mucmm.Cli/bin/Release/net10.0/Mucmm.Cli
  run $BENCH stream read --dir "$SD"
  /usr/bin/time -f "RESULT cli_stats wall_s=%e user_s=%U sys_s=%S peak_rss_kib=%M load=\"$(cut -d' ' -f1-3 /proc/loadavg)\"" \
    $CLI stats --view1 "$SD/view1.npy" --view2 "$SD/view2.npy" --out "$SD/stats.npz" --force --quiet 2>&1 | tee -a "$OUT" | grep -E '^RESULT'
  [ -f "$SD/shards/s-099.npz" ] || run $BENCH stream shards --dir "$SD" --count 100
  run $BENCH stream merge --dir "$SD"
  /usr/bin/time -f "RESULT cli_stats_merge100 wall_s=%e user_s=%U sys_s=%S peak_rss_kib=%M load=\"$(cut -d' ' -f1-3 /proc/loadavg)\"" \
    $CLI stats --merge "$SD"/shards/s-*.npz --out "$SD/merged.npz" --force 2>&1 | tee -a "$OUT" | grep -E '^RESULT'
fi
if [ -n "${DEMO:-}" ]; then
  dotnet build src/Mucmm.Cli -c Release -v q -nologo >/dev/null
  rm -rf /tmp/mucmm-demo-quick
  /usr/bin/time -f "RESULT demo_quick wall_s=%e user_s=%U sys_s=%S peak_rss_kib=%M" \
    src/Mucmm.Cli/bin/Release/net10.0/Mucmm.Cli demo --quick --out /tmp/mucmm-demo-quick 2>&1 | tee -a "$OUT" | tail -n 15
fi

# --- ratios (ours / theirs, by the minimum time) ---
echo
echo "ratios (ours / reference; < 1 = faster), from $OUT:"
awk '
  /^RESULT/ { name=$2; for (i=3;i<=NF;i++) { split($i,kv,"="); if (kv[1]=="min_s") t[name]=kv[2]; if (kv[1]~/^extrapolated_all/) ex[name]=kv[2]; if (kv[1]=="gflops_min") g[name]=kv[2]; if (kv[1]=="gflop") f[name]=kv[2]; if (kv[1]=="fraction_of_matmul") fr[name]=kv[2]; if (kv[1]=="cpu_s_per_call") c[name]=kv[2]; if (kv[1]=="fraction_of_matmul_cpu") frc[name]=kv[2] } }
  function cratio(a, b, label) { if ((a in c) && (b in c) && c[b] > 0) printf "  %-44s %8.3f   (%.4f / %.4f CPU s per call)\n", label, c[a]/c[b], c[a], c[b] }
  function ratio(a, b, label) { if ((a in t) && (b in t) && t[b] > 0) printf "  %-44s %8.3f   (%.4f s / %.4f s)\n", label, t[a]/t[b], t[a], t[b] }
  END {
    ratio("step_dcca", "py_step_dcca", "Deep CCA step: TorchSharp / PyTorch")
    ratio("step_dcca", "py_step_dcca_passive", "Deep CCA step: TorchSharp / PyTorch (PASSIVE)")
    cratio("step_dcca", "py_step_dcca", "Deep CCA step, CPU time: TorchSharp / PyTorch")
    cratio("step_dcca", "py_step_dcca_passive", "Deep CCA step, CPU time: ... / PyTorch PASSIVE")
    cratio("step_mucmm", "py_step_mucmm", "MUCMM step, CPU time: TorchSharp / PyTorch")
    ratio("step_mucmm", "py_step_mucmm", "deep MUCMM step: TorchSharp / PyTorch")
    ratio("matmul4096", "py_matmul4096", "4096^2 float32 matmul: TorchSharp / PyTorch")
    ratio("linear_cca", "numpy_cca", "linear CCA: Mucmm / NumPy (eigh+SVD)")
    ratio("linear_cca", "r_cancor", "linear CCA: Mucmm / R cancor")
    for (n in t) if (n ~ /^sklearn_cca_/) {
      ratio("linear_cca", n, "linear CCA: Mucmm (784 pairs) / sklearn (" substr(n, 13) " comps)")
      if (n in ex) printf "  %-44s %8.5f   (%.4f s / %s s extrapolated)\n", "linear CCA: Mucmm / sklearn all 784 (extrap.)", t["linear_cca"]/ex[n], t["linear_cca"], ex[n]
    }
    for (n in fr) printf "  %-44s %8.3f   (by CPU seconds: %s)\n", n ": fraction of matmul rate", fr[n], frc[n]
    if (("step_dcca" in t) && ("matmul4096" in g)) printf "  %-44s %8.3f   (%.1f GFLOP/s of %.1f)\n", "Deep CCA step: fraction of matmul rate", f["step_dcca"]/t["step_dcca"]/g["matmul4096"], f["step_dcca"]/t["step_dcca"], g["matmul4096"]
    if (("step_mucmm" in t) && ("matmul4096" in g)) printf "  %-44s %8.3f   (%.1f GFLOP/s of %.1f)\n", "deep MUCMM step: fraction of matmul rate", f["step_mucmm"]/t["step_mucmm"]/g["matmul4096"], f["step_mucmm"]/t["step_mucmm"], g["matmul4096"]
  }' "$OUT" | tee -a "$OUT"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT"
