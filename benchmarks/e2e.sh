#!/usr/bin/env bash
# End-to-end: the Spring Boot demo under load with planeguard and without it, on loopback.
#
#   benchmarks/e2e.sh                          # defaults: 3 forks, 2 rounds of 10 s per route and variant (about 16 min)
#   E2E_FORKS=5 E2E_WARMUP=60 benchmarks/e2e.sh
#   E2E_APP=webflux benchmarks/e2e.sh          # the WebFlux demo (Reactor Netty) instead
#
# E2E_APP chooses the application: "spring" (default) is samples/spring-boot-demo (Spring MVC on
# Tomcat), excluded with dev.planeguard.spring.PlaneGuardAutoConfiguration; "webflux" is
# samples/webflux-demo/target/planeguard-webflux-demo.jar (Spring WebFlux on Reactor Netty, the
# same routes, policy and local mode), excluded with
# dev.planeguard.spring.PlaneGuardReactiveAutoConfiguration. What follows says "the demo" for either.
#
# Starts samples/spring-boot-demo/target/planeguard-demo.jar twice (AOS_MODE=local, each on a free
# loopback port): "on" as shipped, "off" with Spring's own
# --spring.autoconfigure.exclude=dev.planeguard.spring.PlaneGuardAutoConfiguration (planeguard has
# no switch that turns it off; the demo accepts the exclusion in local mode only). Then, with wrk:
#   GET /api/v1/accounts/me   Authorization: Bearer <the demo's token>   (human plane, cached token)
#   GET /api/v1/runs          X-AOS-Key: <the demo's key>                (machine plane)
#   GET /__debug/openapi_inspect  the Bearer token again: a human route whose answer does not
#                             depend on the caller, so both variants' handlers do the same work
# Before measuring it checks that "on" enforces (401 without a credential, 200 with it) and that
# "off" serves. Each server gets a warm-up on every route (JIT), then measured runs alternate on and off
# so drift hits both alike. All of this is one fork; the script runs E2E_FORKS of them, each with
# fresh servers, because two JVMs started from the same jar settle at different speeds (their JIT
# compiles the request pipeline differently): on this kind of machine one "off" server may serve a
# route a quarter or more faster than the next, which one pair of servers would report as
# planeguard's cost. Requests/s is the median over forks of each fork's median. The server's CPU
# time per request (user + system, from /proc) and its JIT compilers' share during each measured
# run are recorded too. Any non-2xx answer or socket error in a measured run fails the script.
#
# Needs: a JDK 17 or newer (java on PATH, or JAVA_HOME), curl, and wrk (installed with apt-get when
# missing, which needs root). The Maven wrapper builds the demo jar when it is missing or older
# than the sources.
#
# Settings (environment): E2E_DURATION seconds per measured run (10), E2E_WARMUP seconds of
# warm-up per server and route (30), E2E_ROUNDS measured runs per route, variant and fork (2),
# E2E_FORKS forks (3),
# E2E_THREADS wrk threads (2), E2E_CONNECTIONS wrk connections (16), E2E_LEDGER=1 to measure a
# third variant, "ledger": planeguard with the audit ledger on (PLANEGUARD_AUDIT_LEDGER, a file in
# the work directory), reported against "on" (the ledger's own cost) and against "off";
# E2E_LIMITS=1 gives the third server rate limits (RATE_LIMIT_ENABLED with a default caller limit
# and a tenant limit far above the load, so that every request pays for both checks and none is
# refused): alone, planeguard with rate limits on; with E2E_LEDGER=1, with the ledger and limits on.
#
# Output, in $PLANEGUARD_BENCH_OUT (default benchmarks/target/results); with E2E_APP=webflux,
# e2e-webflux.md and e2e-webflux/ instead:
#   e2e.md             the table: requests/s on and off, their ratio and planeguard's overhead
#   e2e/fork-N/        each wrk run's output (with the server's CPU time), the servers' logs and
#                      the demo credentials of fork N
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

duration="${E2E_DURATION:-10}"
warmup="${E2E_WARMUP:-30}"
rounds="${E2E_ROUNDS:-2}"
forks="${E2E_FORKS:-3}"
threads="${E2E_THREADS:-2}"
connections="${E2E_CONNECTIONS:-16}"
ledger="${E2E_LEDGER:-0}"
if [[ "$ledger" != 0 && "$ledger" != 1 ]]; then
  echo "e2e.sh: E2E_LEDGER must be 0 or 1" >&2
  exit 2
fi
limits="${E2E_LIMITS:-0}"
if [[ "$limits" != 0 && "$limits" != 1 ]]; then
  echo "e2e.sh: E2E_LIMITS must be 0 or 1" >&2
  exit 2
fi
# The third server, named "ledger" below whatever it has: the ledger, rate limits, or both.
third=0
[[ "$ledger" == 1 || "$limits" == 1 ]] && third=1
if [[ "$ledger" == 1 && "$limits" == 1 ]]; then
  third_label="the audit ledger and rate limits"
elif [[ "$ledger" == 1 ]]; then
  third_label="the audit ledger"
else
  third_label="rate limits"
fi
for setting in "$duration" "$warmup" "$rounds" "$forks" "$threads" "$connections"; do
  if ! [[ "$setting" =~ ^[1-9][0-9]{0,3}$ ]]; then
    echo "e2e.sh: E2E_DURATION, E2E_WARMUP, E2E_ROUNDS, E2E_FORKS, E2E_THREADS and E2E_CONNECTIONS must be whole numbers from 1 to 9999" >&2
    exit 2
  fi
done

app="${E2E_APP:-spring}"
case "$app" in
  spring)
    module=samples/spring-boot-demo
    jar=$module/target/planeguard-demo.jar
    exclude=dev.planeguard.spring.PlaneGuardAutoConfiguration
    name=e2e
    app_label="the Spring MVC demo (Tomcat)"
    ;;
  webflux)
    module=samples/webflux-demo
    jar=$module/target/planeguard-webflux-demo.jar
    exclude=dev.planeguard.spring.PlaneGuardReactiveAutoConfiguration
    name=e2e-webflux
    app_label="the WebFlux demo (Reactor Netty)"
    ;;
  *)
    echo "e2e.sh: E2E_APP must be spring or webflux" >&2
    exit 2
    ;;
esac

java_cmd=java
if [[ -n "${JAVA_HOME:-}" ]]; then
  java_cmd="$JAVA_HOME/bin/java"
fi
out="${PLANEGUARD_BENCH_OUT:-benchmarks/target/results}"
work="$out/$name"

if ! command -v curl >/dev/null; then
  echo "e2e.sh: curl is needed (apt-get install -y curl)" >&2
  exit 1
fi
if ! command -v wrk >/dev/null; then
  echo "wrk is missing: installing the Debian package ..." >&2
  if [[ "$(id -u)" != 0 ]]; then
    echo "e2e.sh: installing wrk needs root; run 'sudo apt-get install -y wrk' and try again" >&2
    exit 1
  fi
  if ! { apt-get install -y -q wrk >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }; }; then
    echo "e2e.sh: apt-get could not install wrk" >&2
    exit 1
  fi
fi

stale=""
if [[ ! -f "$jar" ]]; then
  stale=yes
elif [[ -n "$(find pom.xml core/pom.xml core/src test-support/pom.xml test-support/src \
        servlet-filter/pom.xml servlet-filter/src webflux/pom.xml webflux/src \
        spring-starter/pom.xml spring-starter/src samples/demo-support/pom.xml \
        samples/demo-support/src $module/pom.xml $module/src \
        -newer "$jar" -print -quit 2>/dev/null)" ]]; then
  stale=yes
fi
if [[ -n "$stale" ]]; then
  echo "Building $jar ..." >&2
  ./mvnw -q -pl "$module" -am package -DskipTests
  # The build gives the jar a fixed time (reproducible builds); now is when it was built.
  touch "$jar"
fi

rm -rf "$work"
mkdir -p "$work"
load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

pids=()
stop_servers() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

# start NAME [ARGS...]: starts the demo in $fork_dir, waits until it listens, sets port_NAME and
# pid_NAME.
start() {
  local name="$1"
  shift
  local log="$fork_dir/server-$name.log"
  # The demo's low local rate limit would refuse most of the load: limits are off unless the
  # variant measures them, and then high enough never to refuse (their cost, not their effect).
  local vars=(AOS_MODE=local DB_AUTHORITY=local SERVER_PORT=0 RATE_LIMIT_ENABLED=false
    "PLANEGUARD_DEMO_OUTPUT=$fork_dir/credentials-$name")
  if [[ "$name" == ledger ]]; then
    if [[ "$ledger" == 1 ]]; then
      vars+=("PLANEGUARD_AUDIT_LEDGER=$fork_dir/ledger/ledger.jsonl")
    fi
    if [[ "$limits" == 1 ]]; then
      vars+=(RATE_LIMIT_ENABLED=true RATE_LIMIT_DEFAULT_RPM=1000000000
        DEFAULT_TENANT_RATE_LIMIT=1000000000)
    fi
  fi
  env -u PLANEGUARD_AUDIT_LEDGER "${vars[@]}" "$java_cmd" -jar "$jar" "$@" >"$log" 2>&1 &
  pids+=("$!")
  local pid="$!" port=""
  for _ in $(seq 1 240); do
    port="$(sed -n 's|^planeguard demo (AOS_MODE=local) on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$log" | head -1)"
    if [[ -n "$port" ]]; then
      break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "e2e.sh: the $name server stopped; its log:" >&2
      tail -40 "$log" >&2
      exit 1
    fi
    sleep 0.5
  done
  if [[ -z "$port" ]]; then
    echo "e2e.sh: the $name server did not start within 120 s; see $log" >&2
    exit 1
  fi
  printf -v "port_$name" '%s' "$port"
  printf -v "pid_$name" '%s' "$pid"
  echo "Started the demo $name on port $port (log: $log)" >&2
}

status() { # status PORT PATH [HEADER]
  curl -s -o /dev/null -w '%{http_code}' ${3:+-H "$3"} "http://127.0.0.1:$1$2"
}
expect() { # expect WANT PORT PATH [HEADER]
  local got
  got="$(status "$2" "$3" ${4:+"$4"})"
  if [[ "$got" != "$1" ]]; then
    echo "e2e.sh: sanity check failed: GET $3 on port $2 ${4:+with ${4%%:*} }answered $got, expected $1" >&2
    exit 1
  fi
}

# /api/v1/accounts/me answers the caller, so with planeguard its handler writes more than without
# it ({"plane":"none"}); the debug route answers the same either way, so its row is planeguard's
# cost alone on the human plane (debug routes are served in local mode).
routes=(/api/v1/accounts/me /api/v1/runs /__debug/openapi_inspect)
kinds=(human machine human)

# header VARIANT ROUTE_INDEX: the credential header that variant's server accepts for the route.
header() {
  if [[ "$1" == ledger ]]; then
    [[ "${kinds[$2]}" == human ]] && echo "$ledger_human" || echo "$ledger_machine"
  else
    [[ "${kinds[$2]}" == human ]] && echo "$human" || echo "$machine"
  fi
}

# ticks PID: the CPU time of the process and of its JIT compiler threads, in clock ticks.
ticks() {
  local task line all=0 jit=0
  # Fields after the command name: utime and stime are the 12th and 13th.
  read -r line <"/proc/$1/stat"
  all="$(awk '{ print $12 + $13 }' <<<"${line##*) }")"
  for task in /proc/"$1"/task/*; do
    case "$(cat "$task/comm" 2>/dev/null)" in
      "C1 Compiler"* | "C2 Compiler"*)
        read -r line <"$task/stat" || continue
        jit=$((jit + $(awk '{ print $12 + $13 }' <<<"${line##*) }")))
        ;;
    esac
  done
  echo "$all $jit"
}

# run VARIANT ROUTE_INDEX SECONDS FILE: one wrk run; prints requests/s; fails on any error. Adds
# the server's CPU time during the run to FILE ("server-cpu-ticks BEFORE AFTER TICKS_PER_SECOND").
run() {
  local port_var="port_$1" pid_var="pid_$1" i="$2" file="$4" before after
  before="$(ticks "${!pid_var}")"
  wrk -t"$threads" -c"$connections" -d"$3s" --latency -H "$(header "$1" "$i")" \
    "http://127.0.0.1:${!port_var}${routes[$i]}" >"$file" 2>&1
  after="$(ticks "${!pid_var}")"
  echo "server-cpu-ticks $before $after $(getconf CLK_TCK)" >>"$file"
  if grep -qE 'Non-2xx or 3xx responses|Socket errors' "$file"; then
    echo "e2e.sh: errors in $file:" >&2
    grep -E 'Non-2xx or 3xx responses|Socket errors' "$file" >&2
    exit 1
  fi
  sed -n 's/^Requests\/sec: *\([0-9.]*\)$/\1/p' "$file"
}

# cost FILE: the server's CPU time per request in µs, and its JIT compilers' share of one core in
# %, during the run in FILE.
cost() {
  awk '/ requests in / { n = $1; d = $4 + 0 }
    /^server-cpu-ticks/ { cpu = $4 - $2; jit = $5 - $3; hz = $6 }
    END { printf "%.1f %.1f\n", cpu / hz * 1e6 / n, jit / hz / d * 100 }' "$1"
}

median() { # median NUMBERS...
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

variants=(on off)
if [[ "$third" == 1 ]]; then
  variants=(on off ledger)
fi
n="${#variants[@]}"
# Per route index and variant ("0 on"): each fork's median req/s; every run's req/s, server CPU
# per request and JIT share.
declare -A fork_rps=() runs_rps=() runs_cpu=() runs_jit=()

for fork in $(seq 1 "$forks"); do
  fork_dir="$work/fork-$fork"
  mkdir -p "$fork_dir"
  echo "Fork $fork of $forks: fresh servers" >&2
  start on
  start off "--spring.autoconfigure.exclude=$exclude"
  if [[ "$third" == 1 ]]; then
    start ledger
  fi

  token="$(cat "$fork_dir/credentials-on/demo-token")"
  key="$(cat "$fork_dir/credentials-on/demo-key")"
  # The "off" server made its own credentials; it checks none, so the "on" ones are sent to both.
  # The "ledger" server checks its own (each demo signs its own tokens and makes its own key).
  human="Authorization: Bearer $token"
  machine="X-AOS-Key: $key"
  expect 401 "$port_on" /api/v1/accounts/me
  expect 200 "$port_on" /api/v1/accounts/me "$human"
  expect 401 "$port_on" /api/v1/runs
  expect 200 "$port_on" /api/v1/runs "$machine"
  expect 401 "$port_on" /api/v1/runs "$human"
  expect 200 "$port_off" /api/v1/accounts/me "$human"
  expect 200 "$port_off" /api/v1/runs "$machine"
  expect 401 "$port_on" /__debug/openapi_inspect
  expect 200 "$port_on" /__debug/openapi_inspect "$human"
  expect 200 "$port_off" /__debug/openapi_inspect "$human"
  if [[ "$third" == 1 ]]; then
    ledger_human="Authorization: Bearer $(cat "$fork_dir/credentials-ledger/demo-token")"
    ledger_machine="X-AOS-Key: $(cat "$fork_dir/credentials-ledger/demo-key")"
    expect 401 "$port_ledger" /api/v1/runs
    expect 200 "$port_ledger" /api/v1/runs "$ledger_machine"
    expect 200 "$port_ledger" /api/v1/accounts/me "$ledger_human"
    if [[ "$limits" == 1 ]] && ! curl -s -D - -o /dev/null -H "$ledger_machine" \
        "http://127.0.0.1:$port_ledger/api/v1/runs" | grep -qi '^RateLimit-Policy: "caller"'; then
      echo "e2e.sh: the ledger server does not apply rate limits (no RateLimit-Policy)" >&2
      exit 1
    fi
    if [[ "$ledger" == 1 && ! -s "$fork_dir/ledger/ledger.jsonl" ]]; then
      sleep 1
    fi
    if [[ "$ledger" == 1 && ! -s "$fork_dir/ledger/ledger.jsonl" ]]; then
      echo "e2e.sh: the ledger server wrote no ledger at $fork_dir/ledger/ledger.jsonl" >&2
      exit 1
    fi
  fi
  echo "Sanity checks passed ($app_label): planeguard enforces on port $port_on; port $port_off serves without it." >&2

  # Warm-up: every route on every server before any measurement, so the JIT has compiled each path.
  for i in "${!routes[@]}"; do
    slug="$(tr -c 'a-z0-9\n' '-' <<<"${routes[$i]#/}")"
    echo "Warming up ${routes[$i]} (${warmup} s per server) ..." >&2
    for v in "${variants[@]}"; do
      run "$v" "$i" "$warmup" "$fork_dir/warmup-$v-$slug.txt" >/dev/null
    done
  done

  for i in "${!routes[@]}"; do
    slug="$(tr -c 'a-z0-9\n' '-' <<<"${routes[$i]#/}")"
    declare -A this_fork=()
    for r in $(seq 1 "$rounds"); do
      # Rotate which variant goes first, so none always follows another.
      line="  ${routes[$i]}, round $r:"
      for k in $(seq 0 $((n - 1))); do
        v="${variants[$(((r - 1 + k) % n))]}"
        file="$fork_dir/$v-$slug-$r.txt"
        rps="$(run "$v" "$i" "$duration" "$file")"
        read -r cpu jit <<<"$(cost "$file")"
        this_fork[$v]="${this_fork[$v]:-} $rps"
        runs_rps["$i $v"]="${runs_rps["$i $v"]:-} $rps"
        runs_cpu["$i $v"]="${runs_cpu["$i $v"]:-} $cpu"
        runs_jit["$i $v"]="${runs_jit["$i $v"]:-} $jit"
      done
      for v in "${variants[@]}"; do
        line="$line $v ${this_fork[$v]##* } req/s,"
      done
      echo "${line%,}" >&2
    done
    for v in "${variants[@]}"; do
      # shellcheck disable=SC2086
      fork_rps["$i $v"]="${fork_rps["$i $v"]:-} $(median ${this_fork[$v]})"
    done
    unset this_fork
  done
  stop_servers
done

table="$work/table.md"
ledger_table="$work/ledger-table.md"
: >"$table"
: >"$ledger_table"
max_jit=0
for i in "${!routes[@]}"; do
  route="${routes[$i]}"
  # shellcheck disable=SC2086
  m_on="$(median ${fork_rps["$i on"]})"
  # shellcheck disable=SC2086
  m_off="$(median ${fork_rps["$i off"]})"
  # shellcheck disable=SC2086
  c_on="$(median ${runs_cpu["$i on"]})"
  # shellcheck disable=SC2086
  c_off="$(median ${runs_cpu["$i off"]})"
  for v in "${variants[@]}"; do
    # shellcheck disable=SC2086
    max_jit="$(printf '%s\n' "$max_jit" ${runs_jit["$i $v"]} | sort -g | tail -1)"
  done
  awk -v route="$route" -v on="$m_on" -v off="$m_off" -v c_on="$c_on" -v c_off="$c_off" 'BEGIN {
    ratio = on / off
    overhead = (1 - ratio) * 100
    printf "| `GET %s` | %.0f | %.0f | %.3f | %.1f %% | %.1f / %.1f | ≤ 10 %% | %s |\n", route, on, off, ratio, overhead, c_on, c_off, (overhead <= 10 ? "yes" : "**no**")
  }' >>"$table"
  if [[ "$third" == 1 ]]; then
    # shellcheck disable=SC2086
    m_ledger="$(median ${fork_rps["$i ledger"]})"
    awk -v route="$route" -v led="$m_ledger" -v on="$m_on" -v off="$m_off" 'BEGIN {
      cost = (1 - led / on) * 100
      total = (1 - led / off) * 100
      printf "| `GET %s` | %.0f | %.0f | %.3f | %.1f %% | %.1f %% | ≤ 10 %% (goal ≤ 5 %%) | %s |\n", route, led, on, led / on, cost, total, (cost <= 10 ? (cost <= 5 ? "yes, goal too" : "yes") : "**no**")
    }' >>"$ledger_table"
  fi
done

{
  echo "Application: $app_label, $jar."
  echo
  echo "| route | on (req/s) | off (req/s) | on ÷ off | planeguard's overhead | server CPU per request, on / off (µs) | target | met |"
  echo "|---|---:|---:|---:|---:|---:|---|:---:|"
  cat "$table"
  echo
  echo "$forks fork(s): each a fresh server per variant, ${warmup} s of warm-up per server and route, then"
  echo "$rounds run(s) of ${duration} s per route and variant, alternating ${variants[*]}; requests/s is the median"
  echo "over forks of each fork's median, CPU per request (user + system time of the server process"
  echo "during a run ÷ its requests) the median over all runs. wrk -t$threads -c$connections on loopback;"
  echo "no non-2xx answers. The JIT compilers used at most ${max_jit} % of a core during a measured run$(awk -v j="$max_jit" 'BEGIN { if (j > 5) printf " (more than 5 %%: the servers were still compiling; use a longer E2E_WARMUP)" }')."
  echo "Each run (req/s), fork by fork:"
  echo
  for i in "${!routes[@]}"; do
    line="- \`GET ${routes[$i]}\`:"
    for v in "${variants[@]}"; do
      line="$line $v${runs_rps["$i $v"]};"
    done
    echo "${line%;}"
  done
  if [[ "$third" == 1 ]]; then
    echo
    echo "With $third_label on (a third server$([[ "$ledger" == 1 ]] && echo ", PLANEGUARD_AUDIT_LEDGER; its entries in the last fork: $(wc -l <"$fork_dir/ledger/ledger.jsonl" 2>/dev/null || echo 0) in the active file")$([[ "$limits" == 1 ]] && echo ", RATE_LIMIT_ENABLED with caller and tenant limits")):"
    echo
    echo "| route | with $third_label (req/s) | planeguard without (req/s) | with ÷ without | their cost | planeguard with them vs off | target | met |"
    echo "|---|---:|---:|---:|---:|---:|---|:---:|"
    cat "$ledger_table"
  fi
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //'); $("$java_cmd" -version 2>&1 | head -1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); load average before the run: $load_before."
} >"$out/$name.md"

echo
echo "End-to-end, $app_label, from $out/$name.md:"
echo
cat "$out/$name.md"
