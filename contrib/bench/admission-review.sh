#!/usr/bin/env bash
# One review's own work in process, per kind and size (contrib/bench/admission.py's
# reviews): ns per step (Benchmarks/AdmissionReview) and heap allocations per
# review (valgrind: allocations of N+100 rounds minus N rounds, over 100).
#
#   contrib/bench/admission-review.sh       (or: make bench-admission-review)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
swift build -c release --product admission-review-bench >&2
source contrib/bench/lib.sh
python3 contrib/bench/admission.py "$work" >/dev/null
# valgrind 3.19 cannot read the debug information of every toolchain's output: it runs a stripped copy.
strip --strip-debug -o "$work/bench" .build/release/admission-review-bench

allocations() {  # STEP FILE → allocations per round of that step
    local counts=()
    for rounds in 10 110; do
        counts+=("$(ROUNDS=$rounds heap_allocations "$work/bench" --only "$1" "$2")")
    done
    echo $(((counts[1] - counts[0]) / 100))
}

echo
echo "One review in process (no transport), ns per review; allocations per review in brackets."
echo
echo "| review | bytes | decode | decide (/validate) | placement (/mutate) | encode the answer | all three (/validate) |"
echo "|---|---|---|---|---|---|---|"
for kind in ingress httproute route; do
    for size in small large; do
        file="$work/$kind-$size-validate.json"
        timings=$(.build/release/admission-review-bench "$file" | awk '/ ns$/ { print $(NF - 1) }' | tr '\n' ' ')
        read -r decode decide placement encode whole <<<"$timings"
        echo "| $kind $size | $(wc -c <"$file") | $decode ($(allocations decode "$file")) | $decide ($(allocations decide "$file"))" \
            "| $placement ($(allocations placement "$file")) | $encode ($(allocations encode "$file")) | $whole ($(allocations all "$file")) |"
    done
done
