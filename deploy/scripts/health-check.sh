#!/bin/sh
# Checks every service's readiness endpoint and prints a table; exits 1 if any is not ready.
#
#   Inside the stack (default targets are compose service names):
#     docker compose -f deploy/compose.yaml --profile tools run --rm health-check
#   Anywhere else, name the targets:
#     deploy/scripts/health-check.sh auth=https://auth.example.org/health/ready …
#   or HEALTH_TARGETS="name=url name=url" deploy/scripts/health-check.sh
#
# Options (environment): HEALTH_TIMEOUT seconds per request (default 5).
# Needs: curl, POSIX sh (runs in the curlimages/curl image).
set -u

default_targets="synapse=http://synapse:8008/health
auth=http://auth:3001/health/ready
sync=http://sync:3010/health/ready
bots=http://bots:3300/health/ready
web=http://web:8080/health/ready"

if [ "$#" -gt 0 ]; then
  targets=$*
else
  targets=${HEALTH_TARGETS:-$default_targets}
fi
timeout=${HEALTH_TIMEOUT:-5}
body=$(mktemp)
trap 'rm -f "$body"' EXIT INT TERM

failed=0
printf '%-10s %-6s %-5s %-10s %s\n' SERVICE STATE HTTP TIME URL
for target in $targets; do
  name=${target%%=*}
  url=${target#*=}
  if [ "$name" = "$target" ] || [ -z "$url" ]; then
    printf 'bad target %s (want name=url)\n' "$target" >&2
    exit 2
  fi
  : >"$body"
  out=$(curl -sS -o "$body" -w '%{http_code} %{time_total}' --max-time "$timeout" "$url" 2>/dev/null) || true
  code=${out%% *}
  time=${out#* }
  [ -n "$code" ] || code=000
  [ "$time" != "$out" ] || time=-
  case "$code" in
    2??) state=ok ;;
    *)
      state=FAIL
      failed=$((failed + 1))
      ;;
  esac
  printf '%-10s %-6s %-5s %-10s %s\n' "$name" "$state" "$code" "${time}s" "$url"
  if [ "$state" = FAIL ] && [ -s "$body" ]; then
    # The readiness body names the failing dependency: {"status":"unavailable","checks":{…}}.
    printf '           %s\n' "$(head -c 300 "$body" | tr '\n' ' ')"
  fi
done

if [ "$failed" -gt 0 ]; then
  printf '\n%s service(s) not ready\n' "$failed"
  exit 1
fi
printf '\nall ready\n'
