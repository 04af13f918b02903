#!/usr/bin/env bash
# Container health: exit 0 when GET /q/health/ready answers 200 on the API port (8000), where the
# service serves health (metrics alone are on the management port, 9000). Plain bash (/dev/tcp):
# the image needs no curl. KAVACH_HEALTH_PORTS overrides the ports tried, in order; the first that
# listens decides.
set -uo pipefail
for port in ${KAVACH_HEALTH_PORTS:-8000}; do
  if ! { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
    continue
  fi
  printf 'GET /q/health/ready HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
  status=$(timeout 4 head -n 1 <&3 | tr -d '\r')
  exec 3<&- 3>&-
  case "$status" in
    "HTTP/1."?" 200"*) exit 0 ;;
    *) echo "kavach-ledger health: port $port answered '${status:-nothing}'" >&2; exit 1 ;;
  esac
done
echo "kavach-ledger health: nothing listens on ${KAVACH_HEALTH_PORTS:-8000}" >&2
exit 1
