#!/bin/bash
# Server CPU split into user and system time per request (from /proc/<pid>/stat), one bench server under
# wrk: what a change in JavaScript moves (user) apart from the kernel's share (system), which dominates the
# noise of the harness's total on this machine. Not a benchmark of record: no ratios, one server at a time.
# Usage (repository root, after a build): SRV=microwebsrv|uws|node-http bash bench/src/user-sys.sh [path] [pipelining] [rounds]
#   e.g. SRV=uws bash bench/src/user-sys.sh / 1 3   (plaintext keep-alive, 3 rounds of 3 s, 50 connections)
set -e
P=${1:-/}; PL=${2:-1}; R=${3:-3}; SRV=${SRV:-microwebsrv}
cd "$(dirname "$0")/../.."
PORT=$((20000 + RANDOM % 20000))
taskset -c 0 node "bench/servers/$SRV.js" "$PORT" > /dev/null 2>&1 &
SP=$!
trap 'kill $SP 2>/dev/null' EXIT
sleep 1.5
CLK=$(getconf CLK_TCK)
for i in $(seq 1 "$R"); do
  read -r -a st0 < "/proc/$SP/stat"
  OUT=$(taskset -c 1 wrk -t1 -c50 -d3s -s bench/wrk/pipeline.lua "http://127.0.0.1:$PORT$P" -- "$PL" 2>&1)
  read -r -a st1 < "/proc/$SP/stat"
  N=$(echo "$OUT" | awk '/requests in/ {print $1}')
  # utime and stime are fields 14 and 15 of /proc/<pid>/stat (proc(5)), in clock ticks.
  U=$(( (${st1[13]} - ${st0[13]}) * 1000000 / CLK )); S=$(( (${st1[14]} - ${st0[14]}) * 1000000 / CLK ))
  awk -v u="$U" -v s="$S" -v n="$N" -v srv="$SRV" -v p="$P" -v pl="$PL" 'BEGIN { printf "%s %s x%s: user %.3f sys %.3f µs/req (%d requests)\n", srv, p, pl, u / n, s / n, n }'
done
