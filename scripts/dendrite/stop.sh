#!/usr/bin/env bash
# Stops the Dendrite that start.sh started in DIR, and removes DIR.
set -euo pipefail
dir=${1:?usage: stop.sh DIR}
if [ -f "$dir/dendrite.pid" ]; then
  pid=$(cat "$dir/dendrite.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
fi
rm -rf "$dir"
