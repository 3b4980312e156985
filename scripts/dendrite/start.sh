#!/usr/bin/env bash
# Starts a throwaway Dendrite homeserver for Gigabot's Matrix tests:
# SQLite, loopback only, registration by shared secret, no federation.
#
#   eval "$(scripts/dendrite/start.sh DIR)"    # DIR: empty or missing folder for its state
#   go test -run Matrix ./integrations/matrix/ ./cmd/gigabot/
#   scripts/dendrite/stop.sh DIR
#
# It prints the variables the tests read (GIGABOT_MATRIX_TEST_URL,
# GIGABOT_MATRIX_TEST_SECRET) as shell assignments. Dendrite is built once
# from the Go module proxy into a cache outside the repository's module
# (go.mod never names it): ${GIGABOT_DENDRITE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gigabot-dendrite}.
# The build needs cgo (gcc) for SQLite and takes about two minutes the
# first time.
set -euo pipefail

version=v0.13.8
dir=${1:?usage: start.sh DIR}
cache=${GIGABOT_DENDRITE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gigabot-dendrite}
bin=$cache/$version/bin

if [ ! -x "$bin/dendrite" ] || [ ! -x "$bin/generate-keys" ] || [ ! -x "$bin/generate-config" ]; then
  command -v gcc >/dev/null 2>&1 || { echo "dendrite: gcc is needed to build Dendrite's SQLite driver (apt-get install gcc)" >&2; exit 1; }
  echo "dendrite: building $version into $bin (once)" >&2
  mkdir -p "$bin"
  # Outside any module, with the machine's own Go: Dendrite is a tool here,
  # not a dependency.
  (cd "$cache" && GOTOOLCHAIN=local GOFLAGS= CGO_ENABLED=1 GOBIN="$bin" go install \
    "github.com/matrix-org/dendrite/cmd/dendrite@$version" \
    "github.com/matrix-org/dendrite/cmd/generate-keys@$version" \
    "github.com/matrix-org/dendrite/cmd/generate-config@$version") >&2
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ -f "$dir/dendrite.pid" ] && kill -0 "$(cat "$dir/dendrite.pid")" 2>/dev/null; then
  echo "dendrite: already running in $dir (pid $(cat "$dir/dendrite.pid"))" >&2
  exit 1
fi

# A free loopback port.
port=${GIGABOT_DENDRITE_PORT:-}
if [ -z "$port" ]; then
  for p in $(seq 18008 18208); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
  done
fi
[ -n "$port" ] || { echo "dendrite: no free port in 18008-18208" >&2; exit 1; }

secret=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
cd "$dir"
[ -f matrix_key.pem ] || "$bin/generate-keys" --private-key matrix_key.pem >/dev/null
# -ci: SQLite files in DIR, in-memory JetStream. Then: our secret, the
# server's own rate limiter on (5 requests per 500 ms per device; admin
# accounts are exempt), registration by the shared secret only, no
# federation, quieter logs.
"$bin/generate-config" -ci -dir "$dir" -server localhost |
  sed -e "s/registration_shared_secret: .*/registration_shared_secret: \"$secret\"/" \
      -e '/rate_limiting:/,/exempt_user_ids/ s/enabled: false/enabled: true/' \
      -e 's/registration_disabled: false/registration_disabled: true/' \
      -e 's/disable_federation: false/disable_federation: true/' \
      -e 's/level: trace/level: warn/' >dendrite.yaml
grep -q "registration_shared_secret: \"$secret\"" dendrite.yaml
grep -A1 'rate_limiting:' dendrite.yaml | grep -q 'enabled: true'

nohup "$bin/dendrite" -config dendrite.yaml -http-bind-address "127.0.0.1:$port" >dendrite.out 2>&1 &
echo $! >dendrite.pid
url="http://127.0.0.1:$port"
for _ in $(seq 1 150); do
  if curl -fsS "$url/_matrix/client/versions" >/dev/null 2>&1; then
    echo "dendrite: $version answers at $url (state in $dir)" >&2
    echo "export GIGABOT_MATRIX_TEST_URL=$url"
    echo "export GIGABOT_MATRIX_TEST_SECRET=$secret"
    exit 0
  fi
  kill -0 "$(cat dendrite.pid)" 2>/dev/null || break
  sleep 0.2
done
echo "dendrite: did not answer at $url; its output:" >&2
tail -20 dendrite.out >&2
kill "$(cat dendrite.pid)" 2>/dev/null || true
exit 1
