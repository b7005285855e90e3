#!/usr/bin/env bash
# KubeAPI's JSON against Foundation's JSONSerialization and JSONDecoder /
# JSONEncoder, on the same AdmissionReview bytes (1.6 KB and 10 KB):
# throughput (MB/s, µs per document) and heap allocations per document
# (counted by valgrind: allocations of N+100 runs minus N runs, over 100).
#
#   contrib/bench/json.sh            (or: make bench-json)
# SECONDS_PER_CASE (default 2) sets the timing run of each case.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
swift build -c release --product kubeapi-json-bench >&2
bench=.build/release/kubeapi-json-bench
fixtures=Tests/KubeAPITests/Fixtures

source contrib/bench/lib.sh

allocations() {  # FILE CASE N → total heap allocations of the process
    heap_allocations "$bench" "$1" --only "$2" "$3"
}

for size in small large; do
    file="$fixtures/admissionreview-$size.json"
    echo
    "$bench" "$file" "${SECONDS_PER_CASE:-2}" | while IFS= read -r line; do
        case "$line" in
            "| case |"*) echo "$line allocations per document |" ;;
            "|---|"*) echo "$line---|" ;;
            "| "*)
                name=$(echo "$line" | awk -F'|' '{gsub(/ /, "", $2); print $2}')
                base=$(allocations "$file" "$name" 10)
                more=$(allocations "$file" "$name" 110)
                echo "$line $(( (more - base) / 100 )) |"
                ;;
            *) echo "$line" ;;
        esac
    done
done
