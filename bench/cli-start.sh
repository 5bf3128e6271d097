#!/bin/sh
# How long the kiln command line takes to start, next to the floor: the same JVM with the same
# flags printing its version (no class of ours loaded). Interleaved, so both see the same load.
#
#   bench/cli-start.sh [RUNS] [KILN_DIR]     default: 20 runs of distribution/target/kiln
#
# Prints the median and the 90th percentile of each, in milliseconds.
set -e
runs="${1:-20}"
kiln="${2:-distribution/target/kiln}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
now() { date +%s%N; }
for i in $(seq 1 "$runs"); do
  t0=$(now); "$java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -XX:-UsePerfData -version >/dev/null 2>&1; t1=$(now)
  "$kiln/bin/kiln" --version >/dev/null; t2=$(now)
  "$kiln/bin/kiln" deploy --help >/dev/null; t3=$(now)
  echo $(( (t1 - t0) / 1000000 )) >> "$tmp/floor"
  echo $(( (t2 - t1) / 1000000 )) >> "$tmp/version"
  echo $(( (t3 - t2) / 1000000 )) >> "$tmp/help"
done
stat() { sort -n "$tmp/$1" | awk -v name="$2" '{ v[NR] = $1 } END {
  m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.9 + 0.999)]; printf "| %s | %d | %d |\n", name, m, p }'; }
echo "| command ($runs runs) | median ms | p90 ms |"
echo "|---|---|---|"
stat floor "floor: java -version, same flags"
stat version "kiln --version"
stat help "kiln deploy --help"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
