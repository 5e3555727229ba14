#!/usr/bin/env bash
# Takes the test cluster down: stops every process up.sh started (by its recorded pid) and every container, then
# removes what it left: mounts, network namespaces, the bridge and its veths, the node address, iptables rules
# and chains of kube-proxy and the CNI plugins, cgroups, sysctls it changed, and its state directory.
# Safe to run when nothing is up, and twice.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

[[ "$(id -u)" == 0 ]] || die "taking the test cluster down needs root"

# Every process in a cgroup tree, leaves first.
cgroup_pids() {
  local root="$1"
  [[ -d "$root" ]] || return 0
  find "$root" -depth -name cgroup.procs -exec cat {} + 2>/dev/null || true
}

kill_containers() {
  local round pids
  for round in 1 2 3; do
    pids="$(cgroup_pids /sys/fs/cgroup/pids/oshinko)"
    [[ -z "$pids" ]] && break
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.5
  done
}

# Shims outlive containerd by design; ours are the ones started with our socket.
stop_shims() {
  local proc pid
  for proc in /proc/[0-9]*; do
    pid="${proc#/proc/}"
    if tr '\0' ' ' <"$proc/cmdline" 2>/dev/null | grep -qF -- "-address $CONTAINERD_SOCK "; then
      stop_pid "$pid" 5
    fi
  done
}

remove_netns() {
  local before="$STATE/netns.before" ns
  ip netns list 2>/dev/null | awk '{ print $1 }' | while read -r ns; do
    [[ "$ns" == cni-* ]] || continue
    if [[ -r "$before" ]] && grep -qx -- "$ns" "$before"; then continue; fi
    ip netns delete "$ns" 2>/dev/null || log "could not delete network namespace $ns"
  done
}

remove_links() {
  local veth
  for veth in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{ print $2 }' | cut -d@ -f1); do
    ip link delete "$veth" 2>/dev/null || true
  done
  ip link delete "$BRIDGE" 2>/dev/null || true
  ip addr delete "$NODE_IP/32" dev lo 2>/dev/null || true
}

# kube-proxy's chains are KUBE-*, the CNI plugins' CNI-*: a table is rewritten without them and the rules that use
# them, only when it has any.
remove_iptables() {
  local family save restore dump
  for family in iptables ip6tables; do
    save="$family-save"
    restore="$family-restore"
    command -v "$save" >/dev/null 2>&1 || continue
    dump="$("$save" 2>/dev/null)" || continue
    if grep -qE 'KUBE-|CNI-|'"$BRIDGE" <<<"$dump"; then
      grep -vE 'KUBE-|CNI-|'"$BRIDGE" <<<"$dump" | "$restore" || log "could not rewrite $family rules"
    fi
  done
}

remove_cgroups() {
  local hierarchy
  for hierarchy in /sys/fs/cgroup/*/; do
    [[ -d "$hierarchy/oshinko" ]] || continue
    find "$hierarchy/oshinko" -depth -type d -exec rmdir {} \; 2>/dev/null || log "could not remove cgroup ${hierarchy}oshinko"
  done
}

restore_sysctls() {
  local saved="$STATE/sysctl.saved" line key value
  [[ -r "$saved" ]] || return 0
  while IFS= read -r line; do
    key="${line%%=*}"
    value="${line#*=}"
    echo "$value" >"/proc/sys/${key//.//}" 2>/dev/null || log "could not restore $key"
  done <"$saved"
}

# kubelet first, so that nothing restarts containers while they are being killed.
for component in kubelet; do
  pid="$(component_pid "$component" || true)"
  [[ -n "$pid" ]] && stop_pid "$pid" 10
done
kill_containers
stop_shims
for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
  pid="$(component_pid "${COMPONENTS[$i]}" || true)"
  [[ -n "$pid" ]] && stop_pid "$pid" 15
done
kill_containers
unmount_under "$STATE" "$RUN_DIR"
remove_netns
remove_links
remove_iptables
remove_cgroups
restore_sysctls
rm -rf "$STATE" "$RUN_DIR"
log "test cluster down"
