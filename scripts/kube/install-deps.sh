#!/usr/bin/env bash
# Installs what the test cluster needs from Debian: etcd, containerd, runc, the CNI plugins, iptables and
# conntrack for kube-proxy, socat for the apiserver relay, buildah and mmdebstrap for the test images, gcc for the
# pause binary, docker-registry and apache2-utils (htpasswd) for the private-registry suite's own registry.
# Kubernetes itself and CoreDNS are built from the Go module proxy by build.sh.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

PACKAGES=(etcd-server containerd runc containernetworking-plugins iptables conntrack socat iproute2 curl openssl
  buildah mmdebstrap uidmap gcc libc6-dev docker-registry apache2-utils)

install_missing() {
  local package missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  ((${#missing[@]} > 0)) || return 0
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_missing "${PACKAGES[@]}"
command -v go >/dev/null 2>&1 || die "Go is required to build Kubernetes (https://go.dev/dl/)"
