#!/bin/sh
# Writes the web app's runtime config.json from WEB_* variables, then runs the given command (Caddy).
#
#   WEB_AUTH_ISSUER               required: the auth server's issuer (AUTH_BASE_URL), exactly
#   WEB_SYNC_URL                  sync base URL; "/" = same origin (the proxy routes /sync/* and /ws/*)
#   WEB_CLIENT_ID                 OAuth client id of the web app (default: web)
#   WEB_REDIRECT_URI              optional; default <origin>/auth/callback
#   WEB_POST_LOGOUT_REDIRECT_URI  optional; default <origin>/
#   WEB_CREDITS_URL               optional; default <issuer>/api/v1/credits
#   WEB_CONFIG_PATH               where to write (default /srv/config.json)
set -eu

fail() {
  printf 'web-entrypoint: %s\n' "$1" >&2
  exit 78
}

# Values go into JSON strings verbatim: refuse anything that would need escaping.
nl='
'
check() {
  case "$2" in
    *\"* | *\\* | *"$nl"*) fail "$1 must not contain quotes, backslashes or newlines" ;;
  esac
}

: "${WEB_AUTH_ISSUER:?WEB_AUTH_ISSUER is required (the auth server issuer, e.g. https://auth.example.org)}"
WEB_SYNC_URL=${WEB_SYNC_URL:-/}
WEB_CLIENT_ID=${WEB_CLIENT_ID:-web}
out=${WEB_CONFIG_PATH:-/srv/config.json}

case "$WEB_AUTH_ISSUER" in
  http://* | https://*) ;;
  *) fail "WEB_AUTH_ISSUER must be an http(s) URL, got '$WEB_AUTH_ISSUER'" ;;
esac
case "$WEB_AUTH_ISSUER" in
  */) fail "WEB_AUTH_ISSUER must not end with a slash (it is the issuer, exactly)" ;;
esac

json="{\"authIssuer\":\"$WEB_AUTH_ISSUER\",\"syncUrl\":\"$WEB_SYNC_URL\",\"clientId\":\"$WEB_CLIENT_ID\""
for pair in \
  "WEB_AUTH_ISSUER:$WEB_AUTH_ISSUER" "WEB_SYNC_URL:$WEB_SYNC_URL" "WEB_CLIENT_ID:$WEB_CLIENT_ID"; do
  check "${pair%%:*}" "${pair#*:}"
done
add() {
  if [ -n "$3" ]; then
    check "$1" "$3"
    json="$json,\"$2\":\"$3\""
  fi
}
add WEB_REDIRECT_URI redirectUri "${WEB_REDIRECT_URI:-}"
add WEB_POST_LOGOUT_REDIRECT_URI postLogoutRedirectUri "${WEB_POST_LOGOUT_REDIRECT_URI:-}"
add WEB_CREDITS_URL creditsUrl "${WEB_CREDITS_URL:-}"
json="$json}"

tmp="$out.tmp.$$"
printf '%s\n' "$json" >"$tmp"
mv "$tmp" "$out"
printf 'web-entrypoint: wrote %s: %s\n' "$out" "$json"

[ "$#" -gt 0 ] || exit 0
exec "$@"
