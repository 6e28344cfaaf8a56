#!/bin/bash
# User-space instructions per request of one bench server, counted by valgrind (cachegrind, no cache
# simulation): deterministic to ~0.5% where timing on this machine moves by 10-40% between rounds, so a
# change of a few percent in the hot path shows (issue 19). The server runs under valgrind with V8's
# --single-threaded (no background compiler or GC threads: the same work on every run); two runs answer
# NA and NB requests from bench/src/fixed-client.js, and the difference of their totals over NB - NA is
# per request: startup, JIT warm-up and shutdown cancel out. The kernel's work is not counted (system time
# is the same as uWS's per request: bench/src/user-sys.sh), nor are stalls: instructions, not time.
# Needs valgrind (apt-get install valgrind). Not a benchmark of record: no ratios, one server at a time.
# Usage (repository root, after a build):
#   SRV=microwebsrv|uws|node-floor|node-http bash bench/src/instr-count.sh [path] [depth] [NA] [NB]
#   e.g. SRV=uws bash bench/src/instr-count.sh / 16      (pipelined ×16; NA 60000, NB 100000: ~1 min)
# VARY=1 makes every request's head differ (fixed-client.js): a server that takes a repeated head again
# without parsing it (ours does) is then measured parsing every head. CACHE=1 adds valgrind's simulated
# instruction-cache misses, data-read misses and mispredicted branches per request (slower: ~3 min).
# NA must be past the JIT's warm-up: per-read functions run 1/depth as often as per-request ones, and
# V8 optimizes them only after ~2,500 reads.
set -e
P=${1:-/}; D=${2:-16}; NA=${3:-60000}; NB=${4:-100000}; SRV=${SRV:-microwebsrv}; CONNS=${CONNS:-10}
command -v valgrind > /dev/null || { echo "instr-count: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
cd "$(dirname "$0")/../.."
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# One run: the server under cachegrind answers $1 requests, then stops (SIGINT); prints its total.
count() {
  local n=$1 port=$((20000 + RANDOM % 20000))
  valgrind --tool=cachegrind $SIM --smc-check=all-non-file --cachegrind-out-file="$T/cg.$n" \
    node --single-threaded "bench/servers/$SRV.js" "$port" > "$T/log.$n" 2>&1 &
  local vp=$!
  for _ in $(seq 1 240); do grep -q '^READY' "$T/log.$n" && break; sleep 0.5; done
  grep -q '^READY' "$T/log.$n" || { echo "instr-count: $SRV did not start" >&2; cat "$T/log.$n" >&2; kill $vp; exit 1; }
  node bench/src/fixed-client.js "$port" "$P" "$D" "$CONNS" "$n" > /dev/null
  kill -INT $vp
  wait $vp || true
  # Sum the Ir column, leaving out functions whose startup work varies from run to run by design
  # (V8's and OpenSSL's random seeds: detail::sprp, HashSeed): they are not per request.
  # With CACHE=1 every event column is summed (Ir, then the misses; see `events:` in the file).
  # The last field is the Ir of V8's compilers (parser, bytecode, baseline, TurboFan, deoptimizer): when
  # V8 tiers a function up (or down and up again) differs between two runs, by up to ~1,000 instructions
  # per request over 20,000 requests; the figure without them is the one that repeats.
  awk '/^fn=/ { skip = ($0 ~ /sprp|HashSeed/); jit = ($0 ~ /v8::internal::(compiler::|Compiler|baseline::|interpreter::|maglev::|Parser|Scanner|PreParser|Deoptimizer|Assembler|TurboAssembler|MacroAssembler|Zone|OptimizingCompileDispatcher)/) }
    /^[0-9]/ && !skip { for (i = 2; i <= NF; i++) t[i] += $i; if (NF > nf) nf = NF; if (jit) c += $2 }
    END { for (i = 2; i <= nf; i++) printf "%.0f ", t[i]; printf "%.0f\n", c }' "$T/cg.$n"
}
SIM="--cache-sim=no"
[ "${CACHE:-0}" = 1 ] && SIM="--cache-sim=yes --branch-sim=yes"
A=$(count "$NA")
B=$(count "$NB")
awk -v a="$A" -v b="$B" -v n=$((NB - NA)) -v srv="$SRV" -v p="$P" -v d="$D" -v cache="${CACHE:-0}" \
  'BEGIN { k = split(a, x, " "); split(b, y, " ");
    printf "%s %s x%s: %.0f instructions per request without V8 compiling, %.0f with it (user space; %d requests counted)\n", srv, p, d, (y[1] - y[k] - x[1] + x[k]) / n, (y[1] - x[1]) / n, n;
    # cachegrind events with --cache-sim=yes --branch-sim=yes: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw Bc Bcm Bi Bim
    if (cache == 1) printf "  per request: %.0f I1 misses, %.1f D1 read misses, %.1f mispredicted conditional branches (simulated)\n", (y[2] - x[2]) / n, (y[5] - x[5]) / n, (y[11] - x[11]) / n }'
