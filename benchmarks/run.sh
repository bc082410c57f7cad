#!/usr/bin/env bash
# Runs planeguard's JMH suite once and writes the table of planeguard's performance targets from that one run.
#
#   benchmarks/run.sh                          # the whole suite, as annotated (1 fork each)
#   benchmarks/run.sh -f 1 -wi 5 -i 10         # any JMH options are passed through
#   benchmarks/run.sh EngineBenchmark          # a subset (JMH regular expressions)
#
# Needs: a JDK 17 or newer on PATH (or JAVA_HOME); nothing else. The Maven wrapper builds
# benchmarks/target/benchmarks.jar when it is missing or older than the sources. The table is made
# by a small Java main inside that jar (dev.planeguard.benchmarks.Report), so no Python, jq or awk.
#
# Output, in $PLANEGUARD_BENCH_OUT (default benchmarks/target/results):
#   results.json  JMH results (-rf json), with -prof gc allocation figures
#   jmh.txt       JMH's console output
#   targets.md    the Markdown table: each §10 target beside the measured value or ratio
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

java_cmd=java
if [[ -n "${JAVA_HOME:-}" ]]; then
  java_cmd="$JAVA_HOME/bin/java"
fi
jar=benchmarks/target/benchmarks.jar
out="${PLANEGUARD_BENCH_OUT:-benchmarks/target/results}"

stale=""
if [[ ! -f "$jar" ]]; then
  stale=yes
elif [[ -n "$(find pom.xml core/pom.xml core/src test-support/pom.xml test-support/src \
        crypto-native/pom.xml crypto-native/src webflux/pom.xml webflux/src benchmarks/pom.xml \
        benchmarks/src \
        -newer "$jar" -print -quit 2>/dev/null)" ]]; then
  stale=yes
fi
if [[ -n "$stale" ]]; then
  echo "Building $jar ..." >&2
  ./mvnw -q -pl benchmarks -am package -DskipTests
fi

mkdir -p "$out"
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)" >&2
"$java_cmd" -version 2>&1 | head -1 >&2

"$java_cmd" -jar "$jar" -prof gc -rf json -rff "$out/results.json" "$@" | tee "$out/jmh.txt"
"$java_cmd" -cp "$jar" dev.planeguard.benchmarks.Report "$out/results.json" > "$out/targets.md"

echo
echo "performance targets, from $out/results.json:"
echo
cat "$out/targets.md"
