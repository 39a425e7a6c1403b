#!/usr/bin/env bash
# Runs fovea's and PyTorch's twin benchmarks alternately and prints a table of ratios.
#
#   benches/compare.sh [--rounds R] [--threads "1 2"] [--quick] [--install] [NAME_FILTER...]
#
# PyTorch comes from $FOVEA_TORCH_PYTHON, else ../torchenv/bin/python (outside the repo).
# --install creates that virtual environment with `pip install torch torchvision` (~3 GB).
# The ratio is PyTorch time / fovea time: above 1, fovea is faster. Median, min and max are
# over the rounds; each round's figure is the median of that run's iterations.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3
threads="1 2"
quick=""
install=0
filters=()
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds="$2"; shift ;;
        --threads) threads="$2"; shift ;;
        --quick) quick="--quick" ;;
        --install) install=1 ;;
        *) filters+=("$1") ;;
    esac
    shift
done

python="${FOVEA_TORCH_PYTHON:-../torchenv/bin/python}"
if [ "$install" = 1 ] && [ ! -x "$python" ]; then
    python3 -m venv ../torchenv
    ../torchenv/bin/pip install torch torchvision
    python=../torchenv/bin/python
fi
if [ ! -x "$python" ]; then
    echo "no PyTorch: set FOVEA_TORCH_PYTHON or run with --install" >&2
    exit 1
fi

cargo bench --bench ops --no-run >/dev/null 2>&1
bin=$(ls -t target/release/deps/ops-* | grep -v '\.d$' | head -1)
out=$(mktemp)
# One core's peak, measured just before a run: `peak<TAB>threads of the run<TAB>GFLOP/s`.
peak() {
    "$bin" --peak | awk -v t="$1" 'BEGIN { OFS = "\t" } { print "peak", "fma_peak", t, $3, 0 }' >>"$out"
}
for round in $(seq "$rounds"); do
    for t in $threads; do
        echo "round $round/$rounds, $t thread(s)" >&2
        peak "$t"
        "$bin" --threads "$t" $quick "${filters[@]}" | sed 's/^/fovea\t/' >>"$out"
        peak "$t"
        "$python" benches/torch/ops.py --threads "$t" $quick "${filters[@]}" | sed 's/^/torch\t/' >>"$out"
    done
done

python3 - "$out" <<'PY'
import statistics, sys
from collections import defaultdict
runs = defaultdict(list)  # (name, threads, who) -> [median_ms per round]
order = []
for line in open(sys.argv[1]):
    who, name, threads, median, _ = line.split("\t")
    key = (name, int(threads))
    if key not in order:
        order.append(key)
    runs[key + (who,)].append(float(median))
# Two peaks per round and thread count, measured before fovea's run and before PyTorch's; the
# higher one is that round's peak (the clock of a shared cloud CPU moves from minute to minute,
# and taking the higher makes the GEMM's share of it the lower).
peaks = {}
for t in {t for name, t in order if name == "fma_peak"}:
    both = runs.pop(("fma_peak", t, "peak"))
    peaks[t] = [max(both[i : i + 2]) for i in range(0, len(both), 2)]
order = [key for key in order if key[0] != "fma_peak"]
print("| workload | threads | fovea ms | PyTorch ms | ratio (median) | min | max |")
print("|---|---|---|---|---|---|---|")
for name, t in order:
    f, p = runs[(name, t, "fovea")], runs[(name, t, "torch")]
    if not f or not p:
        continue
    ratios = [b / a for a, b in zip(f, p)]
    print(f"| {name} | {t} | {statistics.median(f):.2f} | {statistics.median(p):.2f} | "
          f"{statistics.median(ratios):.2f}x | {min(ratios):.2f}x | {max(ratios):.2f}x |")
# GEMM against one core's peak measured in the same round (ops --peak: an FMA loop), per
# thread: on t threads the throughput is divided by t.
for t in sorted({t for _, t in order}):
    for who, label in (("fovea", "fovea"), ("torch", "PyTorch")):
        ms = runs.get(("gemm_1024", t, who), [])
        if peaks.get(t) and ms:
            gflops = [2 * 1024**3 / (m * 1e-3) / 1e9 / t for m in ms]
            pct = [g / p * 100 for g, p in zip(gflops, peaks[t])]
            threads = "1 thread" if t == 1 else f"{t} threads, per thread"
            print(f"\n{label} GEMM 1024^3, {threads}: {statistics.median(pct):.1f}% of the FMA "
                  "peak measured in the same round (per round: "
                  + ", ".join(f"{g:.1f} of {p:.1f} GFLOP/s = {q:.1f}%"
                              for g, p, q in zip(gflops, peaks[t], pct)) + ")", end="")
print()
PY
rm -f "$out"
