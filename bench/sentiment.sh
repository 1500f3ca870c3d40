#!/usr/bin/env bash
# Sentiment benchmark: single-threaded VADER throughput of tce (Rust port,
# crates/tce-text/src/vader) against the Python reference vaderSentiment 3.3.2
# on the same 200,000 texts (the four VADER ground-truth corpora, cycled).
# Prints both throughputs (texts/s) and the ratio (target >= 30).
#
# Rust side: `tce sentiment --engine vader --input FILE` (one JSON object per
# line, output discarded), or the `vader_bench` example of tce-text when the
# binary lacks that subcommand. Python side: a loop calling polarity_scores on
# each line, timed inside the interpreter (start-up and lexicon loading are
# not counted; the Rust timing includes process start-up, reading and output).
#
# Usage: bench/sentiment.sh [TEXTS]   (default 200000)
# Needs python3 with venv and network access for `pip install vaderSentiment`.
# Data: ../shared/data/vader beside the repository (override with VADER_DATA).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
DATA=${VADER_DATA:-../shared/data/vader}
TARGET=${CARGO_TARGET_DIR:-target}
[ -d "$DATA" ] || { echo "bench/sentiment.sh: VADER corpora not found in $DATA" >&2; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# --- Rust scorer ---------------------------------------------------------------
if ! cargo build --release -q -p tce; then
  echo "warning: cargo build -p tce failed; falling back to the tce-text example" >&2
fi
TCE=$TARGET/release/tce
if [ -x "$TCE" ] && "$TCE" sentiment --help >/dev/null 2>&1; then
  RUST=("$TCE" sentiment --engine vader --input)
  RUST_NAME="tce sentiment --engine vader"
else
  cargo build --release -q -p tce-text --example vader_bench
  RUST=("$TARGET/release/examples/vader_bench")
  RUST_NAME="tce-text example vader_bench"
fi

# --- texts ---------------------------------------------------------------------
python3 - "$DATA" "$N" "$T/texts.txt" <<'PY'
import itertools, sys
data, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
texts = []
for name in ["tweets", "amazonReviewSnippets", "movieReviewSnippets", "nytEditorialSnippets"]:
    raw = open(f"{data}/{name}_GroundTruth.txt", "rb").read().decode("utf-8")
    for line in raw.splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3:
            texts.append(parts[2])
with open(out, "w", encoding="utf-8", newline="\n") as f:
    for t in itertools.islice(itertools.cycle(texts), n):
        f.write(t + "\n")
PY
echo "texts: $N (cycled from the 4 VADER corpora)"

# --- Python reference ------------------------------------------------------------
echo "installing vaderSentiment 3.3.2 into a throwaway venv ..."
python3 -m venv "$T/venv"
"$T/venv/bin/pip" install -q --disable-pip-version-check vaderSentiment==3.3.2
py_secs=$("$T/venv/bin/python" - "$T/texts.txt" <<'PY'
import sys, time
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
analyzer = SentimentIntensityAnalyzer()
with open(sys.argv[1], encoding="utf-8") as f:
    lines = [line.rstrip("\n") for line in f]
start = time.perf_counter()
for line in lines:
    analyzer.polarity_scores(line)
print(time.perf_counter() - start)
PY
)

# --- Rust ------------------------------------------------------------------------
"${RUST[@]}" "$T/texts.txt" > /dev/null # warm the page cache
best=""
for _ in 1 2 3; do
  start=$(date +%s.%N)
  "${RUST[@]}" "$T/texts.txt" > "$T/rust.jsonl"
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc -l)
  if [ -z "$best" ] || [ "$(echo "$secs < $best" | bc -l)" = 1 ]; then best=$secs; fi
done
lines=$(wc -l < "$T/rust.jsonl")
[ "$lines" -eq "$N" ] || { echo "error: the Rust scorer printed $lines lines for $N texts" >&2; exit 1; }

py_rate=$(echo "$N / $py_secs" | bc -l)
rs_rate=$(echo "$N / $best" | bc -l)
printf '\nPython vaderSentiment 3.3.2: %8.3f s  %10.0f texts/s\n' "$py_secs" "$py_rate"
printf 'Rust (%s): %8.3f s  %10.0f texts/s  (best of 3, whole process)\n' "$RUST_NAME" "$best" "$rs_rate"
printf 'ratio Rust / Python:         %8.1fx (target >= 30)\n' "$(echo "$rs_rate / $py_rate" | bc -l)"
