#!/usr/bin/env bash
# Score benchmark (issue "Scores, derived weights, resource allocation and
# financial linkage"): `tce score --json` over an N-signal workspace (default
# 10M) against the same aggregation computed by a SQL GROUP BY over the raw
# signal tables, timed in the same run on the same database. Prints both
# times (median of 5 runs after a warm-up) and the ratio (target ≥ 50×, and
# tce under 100 ms).
#
# Usage: bench/score.sh [SIGNALS]   (BENCH_DIR=DIR keeps the workspace there)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
command -v sqlite3 >/dev/null || { echo "bench/score.sh needs sqlite3 (apt-get install sqlite3)" >&2; exit 1; }

cargo build --release -q -p tce
TCE=${CARGO_TARGET_DIR:-$PWD/target}/release/tce
if [ -n "${BENCH_DIR:-}" ]; then T=$BENCH_DIR; mkdir -p "$T"; else T=$(mktemp -d); trap 'rm -rf "$T"' EXIT; fi
WS=$T/ws

if [ ! -f "$WS/tce.db" ]; then
  "$TCE" --dir "$WS" init --template airline >/dev/null
  echo "generating and ingesting $N signals (once) ..."
  "$TCE" generate --template airline --signals "$N" --seed 11 --out "$T/signals.jsonl" >/dev/null
  "$TCE" --dir "$WS" ingest --json "$T/signals.jsonl" >/dev/null
  rm -f "$T/signals.jsonl"
fi
signals=$(sqlite3 "$WS/tce.db" "SELECT count(*) FROM signals")

# The aggregation behind `tce score`: per brand × touchpoint the counts and sums
# of experience values and labels, plus the per brand × channel totals.
SQL="
SELECT s.brand, t.touchpoint, count(*), sum(s.experience_value),
       sum(s.experience_value * s.experience_value),
       sum(s.sentiment_label = 'positive'), sum(s.sentiment_label = 'neutral'),
       sum(s.sentiment_label = 'negative'), sum(coalesce(s.author_followers, 0))
FROM signals s JOIN signal_touchpoints t ON t.signal_id = s.id
GROUP BY s.brand, t.touchpoint;
SELECT brand, channel, count(*), sum(experience_value), sum(experience_value * experience_value)
FROM signals GROUP BY brand, channel;"

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

"$TCE" --dir "$WS" score --json >/dev/null   # warm-up (page cache)
for _ in 1 2 3 4 5; do
  s=$(now); "$TCE" --dir "$WS" score --json >/dev/null; e=$(now)
  echo "$e - $s" | bc -l
done | median > "$T/tce.txt"
sqlite3 "$WS/tce.db" "$SQL" >/dev/null       # warm-up
for _ in 1 2 3; do
  s=$(now); sqlite3 "$WS/tce.db" "$SQL" >/dev/null; e=$(now)
  echo "$e - $s" | bc -l
done | median > "$T/sql.txt"
tce_s=$(cat "$T/tce.txt"); sql_s=$(cat "$T/sql.txt")

printf '\nsignals:                       %d\n' "$signals"
printf 'SQL GROUP BY over raw signals: %8.1f ms (median of 3)\n' "$(echo "$sql_s * 1000" | bc -l)"
printf 'tce score --json:              %8.1f ms (median of 5, whole process)\n' "$(echo "$tce_s * 1000" | bc -l)"
printf 'ratio SQL / tce:               %8.1fx (target >= 50x; tce target < 100 ms)\n' "$(echo "$sql_s / $tce_s" | bc -l)"
