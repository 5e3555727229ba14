#!/usr/bin/env bash
# Builds the test cluster's Kubernetes components and CoreDNS with `go build` from the Go module proxy,
# into the user's cache directory, keyed by version. A second run with the outputs present does nothing.
set -euo pipefail
LOG_TAG=kube:build
# shellcheck source=lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

KUBE_COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)

have_all() {
  local dir="$1"
  shift
  local c
  for c in "$@"; do [[ -x "$dir/$c" ]] || return 1; done
}

# k8s.io/kubernetes is consumable as a module only when its staging modules (which its own go.mod replaces with
# ./staging/...) are replaced by their published versions.
build_kubernetes() {
  if have_all "$KUBE_BIN_DIR" "${KUBE_COMPONENTS[@]}"; then
    log "kubernetes $KUBE_VERSION: cached in $KUBE_BIN_DIR"
    return
  fi
  local work="$OSHINKO_KUBE_CACHE/kubernetes-$KUBE_VERSION/src"
  mkdir -p "$work" "$KUBE_BIN_DIR"
  (
    cd "$work"
    go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" >/dev/null
    local upstream
    upstream="$(go env GOMODCACHE)/k8s.io/kubernetes@$KUBE_VERSION/go.mod"
    {
      echo "module oshinko.test/kube-build"
      echo
      grep -E '^go ' "$upstream"
      echo
      echo "require k8s.io/kubernetes $KUBE_VERSION"
      echo
      grep -E '=> \./staging/' "$upstream" | awk -v v="$KUBE_STAGING_VERSION" '{ printf "replace %s => %s %s\n", $1, $1, v }'
    } >go.mod
    # Blank imports are not allowed for main packages, so the build list is completed by resolving the commands.
    local pkgs=()
    local c
    for c in "${KUBE_COMPONENTS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
    GOFLAGS=-mod=mod go get "${pkgs[@]}" >/dev/null 2>&1 || GOFLAGS=-mod=mod go mod download all
    local major="${KUBE_VERSION#v}"
    major="${major%%.*}"
    local minor="${KUBE_VERSION#v*.}"
    minor="${minor%%.*}"
    local pkg ld=""
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ld+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
      ld+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
    done
    log "building kubernetes $KUBE_VERSION (${KUBE_COMPONENTS[*]}); about 6 minutes on 2 cores the first time"
    CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w$ld" -o "$KUBE_BIN_DIR/" "${pkgs[@]}"
  )
}

build_coredns() {
  if have_all "$COREDNS_BIN_DIR" coredns; then
    log "coredns $COREDNS_VERSION: cached in $COREDNS_BIN_DIR"
    return
  fi
  mkdir -p "$COREDNS_BIN_DIR"
  log "building coredns $COREDNS_VERSION"
  CGO_ENABLED=0 GOBIN="$COREDNS_BIN_DIR" go install -trimpath -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS_VERSION"
}

build_kubernetes
build_coredns
