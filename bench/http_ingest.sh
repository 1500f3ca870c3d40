#!/usr/bin/env bash
# HTTP batch-ingest benchmark (DESIGN §5, issue 5): a client posting batches of
# 1,000 signals (NDJSON) over several keep-alive connections to `tce serve`'s
# code (crates/tce-server/examples/http_ingest.rs, server and client in two
# processes on loopback) for SECONDS, against `tce ingest` of the same file in
# the same run. Every batch is new data (ids are prefixed per round when the
# file is used up), stored with enrichment and rollups, acknowledged durable.
# Prints both rates and their ratio (target: HTTP >= 50,000 signals/s
# sustained with no errors).
#
# Usage: bench/http_ingest.sh [SECONDS] [SIGNALS_IN_FILE] [CONNECTIONS]   (default 60 500000 4)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
N=${2:-500000}
CONNS=${3:-4}
TARGET=${CARGO_TARGET_DIR:-target}

cargo build --release -q -p tce
cargo build --release -q -p tce-server --example http_ingest
TCE=$TARGET/release/tce
BENCH=$TARGET/release/examples/http_ingest
T=$(mktemp -d)
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; fi
  rm -rf "$T"
}
trap cleanup EXIT

echo "generating $N signals ..."
"$TCE" generate --template airline --signals "$N" --seed 11 --out "$T/signals.jsonl" >/dev/null
rows=$(($(wc -l < "$T/signals.jsonl")))

echo "tce ingest of the file ..."
"$TCE" --dir "$T/cli" init --template airline >/dev/null
start=$(date +%s.%N)
"$TCE" --dir "$T/cli" ingest --json "$T/signals.jsonl" > "$T/cli.json"
end=$(date +%s.%N)
cli_secs=$(echo "$end - $start" | bc -l)
cli_accepted=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['accepted'])" "$T/cli.json")
cli_rate=$(echo "$cli_accepted / $cli_secs" | bc -l)

echo "HTTP ingest for $SECS s over $CONNS connections ..."
"$BENCH" serve "$T/http" > "$T/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  grep -q '^listening ' "$T/serve.log" 2>/dev/null && break
  sleep 0.1
done
URL=$(sed -n 's/^listening //p' "$T/serve.log")
[ -n "$URL" ] || { cat "$T/serve.log" >&2; exit 1; }
"$BENCH" client "$URL" "$(cat "$T/http/token")" "$T/signals.jsonl" "$SECS" 1000 "$CONNS" | tee "$T/client.txt"
kill -TERM "$SERVER"
wait "$SERVER" || true
SERVER=
http_rate=$(sed -n 's/^http_signals_per_s //p' "$T/client.txt")
errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$T/client.txt")

printf '\nfile:                    %d signals\n' "$rows"
printf 'tce ingest (file):       %8.0f signals/s  (%d in %.1f s)\n' "$cli_rate" "$cli_accepted" "$cli_secs"
printf 'HTTP batch ingest:       %8.0f signals/s  over %d s, %s errors (target >= 50000, 0 errors)\n' "$http_rate" "$SECS" "$errors"
printf 'ratio HTTP / tce ingest: %8.2f\n' "$(echo "$http_rate / $cli_rate" | bc -l)"
