# The one library of the scripts in this folder: where the test cluster lives and how its processes are tracked,
# logging, and the cached build of an output named by a hash of its inputs. Sourced, after `set -euo pipefail`.
# shellcheck shell=bash
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=versions.sh
. "$here/versions.sh"

# State of the running cluster: certificates, etcd data, containerd's images and containers, kubelet's pods, logs,
# pids. Removed by down.sh.
STATE="${OSHINKO_KUBE_STATE:-$repo/.oshinko/kube}"
# Unix sockets must stay under 108 bytes whatever the clone's path, so they live under /run.
RUN_DIR=/run/oshinko-kube
CONTAINERD_SOCK="$RUN_DIR/containerd.sock"
PIDS="$STATE/pids"
LOGS="$STATE/logs"
CERTS="$STATE/certs"

# One node, one address plan. The node address sits on `lo` (the kernel has no dummy links); the pods' bridge is
# ours alone, so that down.sh can delete it whole.
NODE_NAME=oshinko-node
NODE_IP=10.243.0.1
BRIDGE=oshinko0
POD_CIDR=10.244.0.0/24
POD_GATEWAY=10.244.0.1
CLUSTER_CIDR=10.244.0.0/16
SERVICE_CIDR=10.96.0.0/16
KUBERNETES_SERVICE_IP=10.96.0.1
# CoreDNS runs on the host, bound to the node address; pods get it as their nameserver.
CLUSTER_DNS="$NODE_IP"
CLUSTER_DOMAIN=cluster.local
APISERVER_PORT=6443
# The apiserver listens on 127.0.0.1 only; pods reach it through the `kubernetes` Service, whose endpoint is a relay
# on the node address.
APISERVER_URL="https://127.0.0.1:$APISERVER_PORT"
ETCD_CLIENT_PORT=2379
ETCD_PEER_PORT=2380
PAUSE_IMAGE=localhost/oshinko/pause:3.10

# Components in start order. Each has a start_<name> function in up.sh.
COMPONENTS=(containerd etcd kube-apiserver apiserver-relay kube-controller-manager kube-scheduler kubelet kube-proxy coredns)

# The tag of log lines: a script that is not about the running cluster sets its own (kube:images).
LOG_TAG="${LOG_TAG:-kube}"
log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }
die() {
  printf '[%s] error: %s\n' "$LOG_TAG" "$*" >&2
  exit 1
}

now() { date +%s.%N; }
# Logs how long a step took: `t0=$(now); ...; took "step" "$t0"`.
took() { log "$(awk -v a="$2" -v b="$(now)" -v what="$1" 'BEGIN { printf "%s: %.1f s", what, b - a }')"; }

# A short hash of stdin.
digest() { sha256sum | cut -c1-16; }

# cached_build WHAT STEM KEY BUILDER [ARGS...]: prints STEM-<hash of KEY>.tar, the output of inputs KEY. When it is
# missing (or OSHINKO_IMAGES_REBUILD=1) `BUILDER ARGS... PARTIAL` writes it to PARTIAL, which becomes the output
# only once complete; then the outputs of the same STEM with another key (stale inputs) are removed.
cached_build() {
  local what="$1" stem="$2" key="$3"
  shift 3
  local out
  out="$stem-$(digest <<<"$key").tar"
  if [[ -s "$out" && "${OSHINKO_IMAGES_REBUILD:-}" != 1 ]]; then
    log "$what: cached $out"
  else
    local partial="${out%.tar}.partial.tar" stale
    rm -rf "$partial"
    "$@" "$partial"
    [[ -s "$partial" ]] || die "$what: $1 wrote nothing"
    mv "$partial" "$out"
    for stale in "$stem"-*.tar; do
      if [[ -e "$stale" && "$stale" != "$out" ]]; then rm -rf "$stale"; fi
    done
  fi
  printf '%s\n' "$out"
}

# A pid is running when its process exists and is not a zombie.
pid_running() {
  local pid="$1" state
  [[ -n "$pid" && -r "/proc/$pid/stat" ]] || return 1
  state="$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

component_pid() {
  local file="$PIDS/$1"
  [[ -r "$file" ]] && cat "$file"
}

component_running() {
  local pid
  pid="$(component_pid "$1")" || return 1
  pid_running "$pid"
}

# Stops a pid: TERM, then KILL after a grace period; waits until it is gone.
stop_pid() {
  local pid="$1" grace="${2:-10}" i
  pid_running "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    pid_running "$pid" || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    pid_running "$pid" || return 0
    sleep 0.1
  done
  log "pid $pid did not exit"
}

unmount_under() {
  local prefix
  for prefix in "$@"; do
    # /proc/mounts escapes spaces as \040; our paths have none. Deepest first.
    awk -v p="$prefix/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r | while read -r target; do
      umount "$target" 2>/dev/null || umount -l "$target" 2>/dev/null || log "could not unmount $target"
    done
  done
}

kubectl_() { "$KUBE_BIN_DIR/kubectl" --kubeconfig "$STATE/kubeconfig" "$@"; }
ctr_() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }
