#!/usr/bin/env bash
# The container's entry point: the packaged service, or `token …` to mint a JWT (docs/auth-and-running.md).
# exec: java becomes PID 1 and receives the SIGTERM of `docker stop`, which drains in-flight
# requests before exiting (docs/operations.md).
set -euo pipefail
# JAVA_OPTS is split on spaces on purpose (several flags in one variable).
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:--Xmx256m} -jar "${KAVACH_APP_DIR:-/deployments}/quarkus-run.jar" "$@"
