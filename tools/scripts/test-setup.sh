#!/usr/bin/env bash
# What the tests need beyond the engine: Debian's ansible (Ansible 7 with its
# collections: zuul-jobs' roles need the htpasswd module and netcommon's ipaddr
# filter, which ansible-core alone lacks), openssl (test certificates) and
# OpenSSH's server (the ssh:// remote engine test runs one of its own on
# loopback; the package's own service is not started here).
# Installs them on Debian as root when missing; elsewhere says what to install.
set -euo pipefail
missing=()
command -v ansible-playbook >/dev/null 2>&1 || missing+=(ansible)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then
  echo "test-setup: installing Debian packages: ${missing[*]}"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/imgmono-test-apt.log 2>&1; then
    apt-get update >>/tmp/imgmono-test-apt.log 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/imgmono-test-apt.log 2>&1 \
      || { echo "test-setup: apt-get install ${missing[*]} failed, see /tmp/imgmono-test-apt.log" >&2; exit 1; }
  fi
else
  echo "test-setup: install ${missing[*]} (Debian: sudo apt-get install ${missing[*]}); the Zuul tests need them" >&2
fi
