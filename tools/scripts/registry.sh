#!/usr/bin/env bash
# A real registry for pushes and pulls: Debian's docker-registry (distribution),
# served on 127.0.0.1 only, with a folder of its own.
#   registry.sh start DIR [PORT] [USER:PASSWORD]   start (htpasswd auth when USER:PASSWORD is given);
#                                                  prints the address, e.g. 127.0.0.1:5000
#   registry.sh stop DIR                           stop it (the folder stays)
# The engine treats 127.0.0.0/8 registries as insecure by default, so plain HTTP works.
set -euo pipefail

cmd="${1:-}"; dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: registry.sh start DIR [PORT] [USER:PASSWORD] | stop DIR" >&2; exit 2; }
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

case "$cmd" in
  start)
    port="${3:-5000}"; auth="${4:-}"
    if ! command -v docker-registry >/dev/null 2>&1; then
      if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker-registry apache2-utils >/dev/null 2>&1 \
          || { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker-registry apache2-utils >/dev/null; }
      else
        echo "registry.sh: docker-registry is not installed: apt-get install docker-registry apache2-utils" >&2; exit 1
      fi
    fi
    if [ -f "$dir/registry.pid" ] && kill -0 "$(cat "$dir/registry.pid")" 2>/dev/null; then
      echo "registry.sh: already running (pid $(cat "$dir/registry.pid")) at $(cat "$dir/address")" >&2
      cat "$dir/address"; exit 0
    fi
    mkdir -p "$dir/data"
    auth_yaml=""
    if [ -n "$auth" ]; then
      command -v htpasswd >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends apache2-utils >/dev/null
      htpasswd -Bbn "${auth%%:*}" "${auth#*:}" > "$dir/htpasswd" 2>/dev/null
      auth_yaml="auth:
  htpasswd:
    realm: imgmono-test
    path: $dir/htpasswd"
    fi
    cat > "$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
$auth_yaml
YAML
    nohup docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
    echo $! > "$dir/registry.pid"
    echo "127.0.0.1:$port" > "$dir/address"
    for _ in $(seq 1 50); do
      code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" || true)"
      if [ "$code" = 200 ] || [ "$code" = 401 ]; then cat "$dir/address"; exit 0; fi
      kill -0 "$(cat "$dir/registry.pid")" 2>/dev/null || break
      sleep 0.2
    done
    echo "registry.sh: the registry did not start; log:" >&2; cat "$dir/registry.log" >&2; exit 1
    ;;
  stop)
    if [ -f "$dir/registry.pid" ]; then
      kill "$(cat "$dir/registry.pid")" 2>/dev/null || true
      rm -f "$dir/registry.pid"
    fi
    ;;
  *) echo "usage: registry.sh start DIR [PORT] [USER:PASSWORD] | stop DIR" >&2; exit 2 ;;
esac
