#!/usr/bin/env bash
# Makes sure a Docker engine answers, and says what it did.
#  - If an engine already answers (DOCKER_HOST or the default socket), nothing is changed.
#    A remote engine (DOCKER_HOST=tcp://host:port with DOCKER_TLS_VERIFY=1 and
#    DOCKER_CERT_PATH, or ssh://user@host) is asked the way the docker CLI asks it.
#  - Else, on Debian as root: installs Debian's docker.io (and mmdebstrap, which root
#    images need), starts dockerd with --bridge=none --iptables=false and its data under
#    IMGMONO_ENGINE_DIR (default /var/lib/imgmono/engine), and waits until it answers.
#  - Else: prints exactly what to install and exits non-zero.
# Builds use host networking (IMAGE_BUILD_NETWORK, default host), so no bridge is needed.
set -euo pipefail

ENGINE_DIR="${IMGMONO_ENGINE_DIR:-/var/lib/imgmono/engine}"
SOCKET_URL="${DOCKER_HOST:-unix:///var/run/docker.sock}"
say() { echo "engine-setup: $*"; }

engine_answers() {
  case "$SOCKET_URL" in
    unix://*)
      local sock="${SOCKET_URL#unix://}"
      [ -S "$sock" ] && curl -fsS --max-time 3 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1
      ;;
    tcp://*)
      if [ "${DOCKER_TLS_VERIFY:-}" = 1 ]; then
        local certs="${DOCKER_CERT_PATH:-$HOME/.docker}"
        curl -fsS --max-time 3 --cacert "$certs/ca.pem" --cert "$certs/cert.pem" --key "$certs/key.pem" "https://${SOCKET_URL#tcp://}/_ping" >/dev/null 2>&1
      else
        curl -fsS --max-time 3 "http://${SOCKET_URL#tcp://}/_ping" >/dev/null 2>&1
      fi
      ;;
    ssh://*)
      command -v docker >/dev/null 2>&1 && timeout 20 docker version >/dev/null 2>&1
      ;;
    *) return 1 ;;
  esac
}

need_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  echo "${missing[@]:-}"
}

if engine_answers; then
  say "an engine already answers at $SOCKET_URL; nothing changed"
  missing="$(need_packages | sed 's/docker.io//;s/^ *//;s/ *$//')"
  if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then
    say "installing $missing (needed by root images)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null
  fi
  exit 0
fi

if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
  cat >&2 <<MSG
engine-setup: no Docker engine answers at $SOCKET_URL, and this is not Debian as root, so
nothing was installed. Install and start an engine, then run this again:
  - Debian/Ubuntu:  sudo apt-get install docker.io mmdebstrap && sudo systemctl start docker
  - elsewhere:      install Docker Engine (https://docs.docker.com/engine/install/) and mmdebstrap
  - or point DOCKER_HOST at an engine you can reach.
MSG
  exit 1
fi

case "$SOCKET_URL" in
  unix://*) ;;
  *) say "DOCKER_HOST=$SOCKET_URL does not answer and is not a local socket this script can serve" >&2; exit 1 ;;
esac
SOCK="${SOCKET_URL#unix://}"

missing="$(need_packages)"
if [ -n "${missing// /}" ]; then
  say "installing Debian packages: $missing"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/tmp/imgmono-apt.log 2>&1; then
    say "apt-get install failed; refreshing the package lists and trying again"
    apt-get update >/tmp/imgmono-apt.log 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >>/tmp/imgmono-apt.log 2>&1 \
      || { say "apt-get install $missing failed, see /tmp/imgmono-apt.log" >&2; exit 1; }
  fi
fi

mkdir -p "$ENGINE_DIR/data" "$ENGINE_DIR/exec" "$(dirname "$SOCK")"
if [ -f "$ENGINE_DIR/dockerd.pid" ] && kill -0 "$(cat "$ENGINE_DIR/dockerd.pid")" 2>/dev/null; then
  say "dockerd (pid $(cat "$ENGINE_DIR/dockerd.pid")) is running but does not answer yet; waiting"
else
  rm -f "$ENGINE_DIR/dockerd.pid"
  say "starting dockerd: data in $ENGINE_DIR/data, socket $SOCK, log $ENGINE_DIR/dockerd.log"
  nohup dockerd \
    --host "unix://$SOCK" \
    --data-root "$ENGINE_DIR/data" \
    --exec-root "$ENGINE_DIR/exec" \
    --pidfile "$ENGINE_DIR/dockerd.pid" \
    --bridge=none --iptables=false --ip6tables=false \
    >"$ENGINE_DIR/dockerd.log" 2>&1 </dev/null &
fi

for _ in $(seq 1 60); do
  if engine_answers; then
    say "engine ready at unix://$SOCK ($(curl -fsS --unix-socket "$SOCK" http://localhost/version | sed -n 's/.*"Version":"\([^"]*\)".*/\1/p' | head -1))"
    exit 0
  fi
  sleep 1
done
say "dockerd did not answer within 60 s; last lines of $ENGINE_DIR/dockerd.log:" >&2
tail -20 "$ENGINE_DIR/dockerd.log" >&2
exit 1
