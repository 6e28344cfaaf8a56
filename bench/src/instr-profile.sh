#!/bin/bash
# Where a bench server's user-space instructions go per request, by function, in steady state: the server
# runs under valgrind's callgrind (V8's --single-threaded, --perf-basic-prof so that JIT code has names);
# bench/src/phase-client.js sends WARM requests on 10 keep-alive connections, the counters are zeroed,
# then MEASURED more on the same connections are counted and summed by bench/src/callgrind-self.js.
# Repeats to a few instructions per request for the same build (issue 19, session 13: 8,779-8,783), where
# instr-count.sh's difference of two runs moves by ~150 with JIT tiering; a change elsewhere can still
# move TurboFan's inlining of unrelated functions by ~50. Needs valgrind. One request at a time per
# connection (no pipelining). Not a benchmark of record.
# Usage (repository root, after a build): SRV=microwebsrv bash bench/src/instr-profile.sh [path] [WARM] [MEASURED] [top]
#   e.g. bash bench/src/instr-profile.sh / 60000 50000 40   (~1 min)
set -e
P=${1:-/}; W=${2:-60000}; M=${3:-50000}; TOP=${4:-40}; SRV=${SRV:-microwebsrv}
command -v valgrind > /dev/null || { echo "instr-profile: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
command -v callgrind_control > /dev/null || { echo "instr-profile: callgrind_control is missing (valgrind's tools)" >&2; exit 2; }
cd "$(dirname "$0")/../.."
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PORT=$((20000 + RANDOM % 20000))
valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file="$T/cg.%p" \
  node --single-threaded --perf-basic-prof "bench/servers/$SRV.js" "$PORT" > "$T/log" 2>&1 &
VP=$!
for _ in $(seq 1 240); do grep -q '^READY' "$T/log" && break; sleep 0.5; done
grep -q '^READY' "$T/log" || { echo "instr-profile: $SRV did not start" >&2; cat "$T/log" >&2; kill $VP; exit 1; }
mkfifo "$T/in"
node bench/src/phase-client.js "$PORT" "$P" 10 "$W" "$M" < "$T/in" > "$T/client" &
CP=$!
exec 3> "$T/in"
for _ in $(seq 1 1200); do grep -q PHASE "$T/client" && break; sleep 0.2; done
callgrind_control -z $VP > /dev/null
echo go >&3
wait $CP
callgrind_control -d $VP > /dev/null
exec 3>&-
kill -INT $VP
wait $VP || true
echo "$SRV $P: $M requests counted after $W"
node bench/src/callgrind-self.js "$(ls "$T"/cg.*.1)" "$VP" "$M" "$TOP"
rm -f "/tmp/perf-$VP.map"
