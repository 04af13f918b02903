#!/usr/bin/env bash
# Framework floor: service CPU per HTTP request for the minimal Quarkus app in this directory, the
# request and answer of POST /v1/reservations without any ledger work (docs/benchmarks.md, ADR 0018).
#
#   ./mvnw -B -q -f src/bench/floor/pom.xml package -DskipTests     # from the repository's root, once
#   src/bench/floor/measure.sh PATH_SUFFIX [conns=32] [warm=40] [dur=20]
#     PATH_SUFFIX  /rest/reservations (Quarkus REST + Jackson) or /vertx/reservations (bare Vert.x)
#
# Starts target/quarkus-app/quarkus-run.jar (java -Xmx256m, port 8161; FLOOR_JAVA_OPTS / PORT override),
# waits for it to answer, warms up with wrk for `warm` seconds, then measures `dur` seconds with
# wrk -t2 -c$conns while sampling the service's CPU ticks (utime+stime, /proc/PID/stat fields 14+15)
# before and after. Prints the wrk RESULT line (src/bench/wrk.lua) and
#   svc_us=  service CPU microseconds per request (CPU seconds / requests wrk counted in the window)
#   svc_cpu= service CPU % of one core over the window (200% = both cores of a 2-core machine)
# plus host_busy= (all CPUs, from /proc/stat) so competing load on the machine is visible.
# The app is stopped on exit (also on error / Ctrl-C).
set -euo pipefail

usage() { echo "usage: $0 PATH_SUFFIX [conns=32] [warm=40] [dur=20]" >&2; exit 2; }
[ $# -ge 1 ] || usage
PATH_SUFFIX=$1
[[ $PATH_SUFFIX == /* ]] || PATH_SUFFIX=/$PATH_SUFFIX
CONNS=${2:-32}
WARM=${3:-40}
DUR=${4:-20}
PORT=${PORT:-8161}
JAVA_OPTS=${FLOOR_JAVA_OPTS--Xmx256m -Dmutiny.disableCallBackDecorators=true} # the service's settings (KavachLedger.main sets the Mutiny one)
WRK_LUA=${WRK_LUA:-$(cd "$(dirname "$0")/.." && pwd)/wrk.lua}
URL="http://127.0.0.1:${PORT}${PATH_SUFFIX}"

export BENCH_KEY=ak_prod_0123456789abcdef
export BENCH_BODY='{"agent_name":"bot","amount":0.000001,"ttl_seconds":3600,"provider":"openai","model":"gpt-4o-mini"}'

cd "$(dirname "$0")"
JAR=target/quarkus-app/quarkus-run.jar
[ -f "$JAR" ] || { echo "no $JAR: build first (./mvnw -B -q -f src/bench/floor/pom.xml package -DskipTests)" >&2; exit 1; }
[ -f "$WRK_LUA" ] || { echo "no wrk script $WRK_LUA" >&2; exit 1; }
if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:${PORT}/"; then
  echo "port $PORT already answers: refusing to measure someone else's server" >&2; exit 1
fi

CLK_TCK=$(getconf CLK_TCK)
LOG=$(mktemp /tmp/floor-app.XXXXXX.log)
# shellcheck disable=SC2086
PORT=$PORT java $JAVA_OPTS -jar "$JAR" >"$LOG" 2>&1 &
PID=$!
# $! must be the JVM itself (a simple command backgrounds without an intermediate shell).
sleep 0.2
[[ $(tr '\0' ' ' </proc/$PID/cmdline 2>/dev/null) == java* ]] || { echo "pid $PID is not the JVM" >&2; exit 1; }

stop() {
  if kill -0 "$PID" 2>/dev/null; then
    kill "$PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$PID" 2>/dev/null || true
  fi
  wait "$PID" 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM

# utime+stime of the service process (all threads), in clock ticks. Fields counted after the ")"
# that closes comm, so a comm with spaces cannot shift them: field 14 is the 12th after it.
ticks() { local s; s=$(<"/proc/$PID/stat"); s=${s##*) }; set -- $s; echo $(( ${12} + ${13} )); }
# busy and total jiffies of the whole host (first line of /proc/stat).
host() { local _c u n s i w q sq st; read -r _c u n s i w q sq st _ </proc/stat; echo "$((u+n+s+q+sq+st)) $((u+n+s+i+w+q+sq+st))"; }
now_ns() { date +%s%N; }

echo "service: pid $PID, java $(java -version 2>&1 | head -1 | cut -d'"' -f2), opts '${JAVA_OPTS}', log $LOG"
deadline=$((SECONDS + 60))
until code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -X POST \
        -H "Authorization: Bearer $BENCH_KEY" -H 'Content-Type: application/json' \
        --data "$BENCH_BODY" "$URL") && [ "$code" = 201 ]; do
  kill -0 "$PID" 2>/dev/null || { echo "service exited; log:" >&2; cat "$LOG" >&2; exit 1; }
  [ $SECONDS -lt $deadline ] || { echo "service did not answer 201 on $URL within 60s (last: ${code:-none})" >&2; exit 1; }
  sleep 0.2
done
echo "answering 201 on $URL; load before: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$WARM" -gt 0 ]; then
  echo -n "warm  ${WARM}s c=${CONNS}: "
  wrk -t2 -c"$CONNS" -d"${WARM}s" -s "$WRK_LUA" "$URL" | grep '^RESULT' || true
fi

OUT=$(mktemp /tmp/floor-wrk.XXXXXX)
t0=$(ticks); read -r hb0 ht0 < <(host); w0=$(now_ns)
wrk -t2 -c"$CONNS" -d"${DUR}s" -s "$WRK_LUA" "$URL" >"$OUT"
t1=$(ticks); read -r hb1 ht1 < <(host); w1=$(now_ns)

RESULT=$(grep '^RESULT' "$OUT") || { echo "wrk printed no RESULT line:" >&2; cat "$OUT" >&2; exit 1; }
rm -f "$OUT"
REQS=$(sed -n 's/.* measured=\([0-9]*\).*/\1/p' <<<"$RESULT")
[[ $RESULT == *"status=201:${REQS}" ]] || echo "WARNING: not every response was 201: $RESULT" >&2
echo "$RESULT"
awk -v dt=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$REQS" -v wall_ns=$((w1 - w0)) \
    -v hb=$((hb1 - hb0)) -v ht=$((ht1 - ht0)) -v path="$PATH_SUFFIX" -v c="$CONNS" -v d="$DUR" 'BEGIN {
  cpu = dt / hz; wall = wall_ns / 1e9
  printf "FLOOR path=%s conns=%d dur=%ds svc_us=%.1f svc_cpu=%.1f%% svc_cpu_s=%.2f requests=%d wall_s=%.2f host_busy=%.1f%%\n",
    path, c, d, (n > 0 ? cpu * 1e6 / n : 0), 100 * cpu / wall, cpu, n, wall, (ht > 0 ? 100 * hb / ht : 0)
}'
