#!/usr/bin/env bash
# Dashboard page latency benchmark (DESIGN §5, issue 5): a workspace of
# SIGNALS generated signals (default 10M) ingested by `tce ingest`, outcomes
# imported, then every dashboard page fetched over HTTP from the server
# (crates/tce-server/examples/pages.rs): once cold, then ROUNDS times.
# It also measures the care queue of the API (`GET /api/v1/cases`, with and
# without filters): the cases are derived by `tce ingest` as it stores; and
# the Advocates and Ideas pages (with a brand / competitors filter) with
# their API lists (`GET /api/v1/advocates`, `GET /api/v1/ideas`).
# Prints per page cold / p50 / p95 / max and the worst p95 (target <= 150 ms).
#
# Usage: bench/pages.sh [SIGNALS] [ROUNDS]   (default 10000000 30)
# Needs about 1 KiB of disk per signal in $TMPDIR (10M: ~10 GiB) while it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
ROUNDS=${2:-30}
TARGET=${CARGO_TARGET_DIR:-target}

cargo build --release -q -p tce
cargo build --release -q -p tce-server --example pages
TCE=$TARGET/release/tce
BENCH=$TARGET/release/examples/pages
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

echo "generating $N signals ..."
start=$(date +%s)
"$TCE" generate --template airline --signals "$N" --seed 5 --out "$T/signals.jsonl" --outcomes "$T/outcomes.csv" >/dev/null
echo "  $(( $(date +%s) - start )) s"
echo "ingesting ..."
start=$(date +%s)
"$TCE" --dir "$T/ws" init --template airline >/dev/null
"$TCE" --dir "$T/ws" ingest --json "$T/signals.jsonl" > "$T/ingest.json"
"$TCE" --dir "$T/ws" outcomes import "$T/outcomes.csv" >/dev/null
rm -f "$T/signals.jsonl"
echo "  $(( $(date +%s) - start )) s; $(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['accepted'])" "$T/ingest.json") signals stored"
echo "pages ($ROUNDS rounds each after a cold request) ..."
"$BENCH" "$T/ws" "$ROUNDS"
