#!/usr/bin/env bash
# Ingest benchmark (DESIGN §5, issue "Foundation"): 1M generated signals as JSONL
# ingested by tce (parse + enrich + store + rollups) into a fresh SQLite
# workspace, against the physical floor of this storage measured in the same
# run: sqlite3 importing the same rows as CSV into one table with no indexes.
# Prints both times, the ratio (target ≤ 2.5) and tce's peak memory (target < 1 GiB).
#
# Usage: bench/ingest.sh [SIGNALS]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
command -v sqlite3 >/dev/null || { echo "bench/ingest.sh needs sqlite3 (apt-get install sqlite3)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/ingest.sh needs GNU time (apt-get install time)" >&2; exit 1; }

cargo build --release -q -p tce
TCE=${CARGO_TARGET_DIR:-$PWD/target}/release/tce
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

echo "generating $N signals ..."
"$TCE" generate --template airline --signals "$N" --seed 7 --out "$T/signals.jsonl" >/dev/null
python3 - "$T/signals.jsonl" "$T/signals.csv" <<'PY'
import csv, json, sys
cols = ["id", "channel", "text", "created_at", "brand", "author", "author_followers",
        "rating", "rating_scale", "stage_ratings", "in_reply_to", "url", "lang"]
with open(sys.argv[1], encoding="utf-8") as src, open(sys.argv[2], "w", newline="", encoding="utf-8") as dst:
    w = csv.writer(dst)
    w.writerow(cols)
    for line in src:
        r = json.loads(line)
        if "stage_ratings" in r:
            r["stage_ratings"] = json.dumps(r["stage_ratings"])
        w.writerow([r.get(c, "") for c in cols])
PY
rows=$(($(wc -l < "$T/signals.jsonl")))
sync

# Floor: one table, no indexes, one transaction (.import), same WAL journal as tce.
start=$(date +%s.%N)
sqlite3 "$T/floor.db" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
.mode csv
.import $T/signals.csv signals
SQL
end=$(date +%s.%N)
floor=$(echo "$end - $start" | bc -l)
floor_rows=$(sqlite3 "$T/floor.db" "SELECT count(*) FROM signals")

"$TCE" --dir "$T/ws" init --template airline >/dev/null
start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$T/rss" "$TCE" --dir "$T/ws" ingest --json "$T/signals.jsonl" > "$T/summary.json"
end=$(date +%s.%N)
tce=$(echo "$end - $start" | bc -l)
rss_kib=$(tail -n 1 "$T/rss")
accepted=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['accepted'])" "$T/summary.json")

printf '\nrows:                    %d (sqlite3 imported %d, tce accepted %d)\n' "$rows" "$floor_rows" "$accepted"
printf 'sqlite3 CSV import floor: %8.2f s  (%.0f rows/s)\n' "$floor" "$(echo "$rows / $floor" | bc -l)"
printf 'tce ingest:               %8.2f s  (%.0f signals/s)\n' "$tce" "$(echo "$rows / $tce" | bc -l)"
printf 'ratio tce / floor:        %8.2f   (target <= 2.5)\n' "$(echo "$tce / $floor" | bc -l)"
printf 'tce peak memory:          %8.0f MiB (target < 1024)\n' "$(echo "$rss_kib / 1024" | bc -l)"
