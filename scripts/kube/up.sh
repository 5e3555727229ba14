#!/usr/bin/env bash
# Brings up a throwaway single-node Kubernetes on this machine for the test suite, in the manner of Kubernetes'
# hack/local-up-cluster.sh: containerd, etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
# kube-proxy and CoreDNS as host processes, pods on a bridge of our own. Idempotent: components already running are
# left alone and any that is not running (or is a zombie) is started again, so a second call returns at once and a
# call after a component died repairs the cluster. Writes $STATE/kubeconfig and $STATE/env.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

[[ "$(id -u)" == 0 ]] || die "the test cluster needs root (network namespaces, iptables, cgroups, mounts)"
for tool in containerd runc etcd ctr ip iptables iptables-save iptables-restore openssl socat conntrack; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing: run scripts/kube/install-deps.sh"
done
[[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] ||
  die "the CNI plugins are missing: run scripts/kube/install-deps.sh"
"$here/build.sh"

mkdir -p "$STATE" "$PIDS" "$LOGS" "$CERTS" "$RUN_DIR"
started_any=false

# Starts a long-running process detached from this script, its output in $LOGS/<name>.log, its pid in $PIDS/<name>.
spawn() {
  local name="$1"
  shift
  setsid "$@" </dev/null >>"$LOGS/$name.log" 2>&1 &
  echo $! >"$PIDS/$name"
  started_any=true
  log "started $name (pid $!)"
}

wait_for() {
  local what="$1" seconds="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "$what not ready after ${seconds}s (logs in $LOGS)"
    sleep 0.2
  done
}

# --- certificates ------------------------------------------------------------------------------------------------

# Signs a certificate with the cluster CA: name, subject, optional subjectAltName, extended key usage.
issue_cert() {
  local name="$1" subject="$2" san="${3:-}" usage="${4:-clientAuth}"
  [[ -s "$CERTS/$name.crt" ]] && return
  local ext="$CERTS/$name.ext"
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [[ -n "$san" ]] && echo "subjectAltName=$san"
  } >"$ext"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$CERTS/$name.key" -subj "$subject" -out "$CERTS/$name.csr" 2>/dev/null
  openssl x509 -req -in "$CERTS/$name.csr" -CA "$CERTS/ca.crt" -CAkey "$CERTS/ca.key" -CAcreateserial \
    -days 30 -extfile "$ext" -out "$CERTS/$name.crt" 2>/dev/null
  rm -f "$CERTS/$name.csr" "$ext"
}

write_kubeconfig() {
  local file="$1" user="$2" server="${3:-$APISERVER_URL}"
  [[ -s "$file" ]] && return
  local ca cert key
  ca="$(base64 -w0 <"$CERTS/ca.crt")"
  cert="$(base64 -w0 <"$CERTS/$user.crt")"
  key="$(base64 -w0 <"$CERTS/$user.key")"
  cat >"$file" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: oshinko-test
    cluster:
      server: $server
      certificate-authority-data: $ca
users:
  - name: $user
    user:
      client-certificate-data: $cert
      client-key-data: $key
contexts:
  - name: oshinko-test
    context:
      cluster: oshinko-test
      user: $user
      namespace: default
current-context: oshinko-test
KUBECONFIG
  chmod 600 "$file"
}

make_certs() {
  if [[ ! -s "$CERTS/ca.crt" ]]; then
    openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$CERTS/ca.key" -subj "/CN=oshinko-test-ca" \
      -days 30 -out "$CERTS/ca.crt" 2>/dev/null
  fi
  [[ -s "$CERTS/service-account.key" ]] || openssl genrsa -out "$CERTS/service-account.key" 2048 2>/dev/null
  issue_cert kube-apiserver "/CN=kube-apiserver" \
    "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN,IP:127.0.0.1,IP:$NODE_IP,IP:$KUBERNETES_SERVICE_IP" \
    serverAuth
  issue_cert kube-apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
  issue_cert admin "/O=system:masters/CN=admin"
  issue_cert kube-controller-manager "/CN=system:kube-controller-manager"
  issue_cert kube-scheduler "/CN=system:kube-scheduler"
  issue_cert kube-proxy "/CN=system:kube-proxy"
  issue_cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME"
  issue_cert kubelet-serving "/CN=$NODE_NAME" "DNS:$NODE_NAME,IP:$NODE_IP" serverAuth
  issue_cert coredns "/CN=oshinko:coredns"
  write_kubeconfig "$STATE/kubeconfig" admin
  local user
  for user in kube-controller-manager kube-scheduler kube-proxy kubelet coredns; do
    write_kubeconfig "$STATE/$user.kubeconfig" "$user"
  done
}

# --- network -----------------------------------------------------------------------------------------------------

setup_network() {
  # Values changed here are recorded once, so that down.sh puts them back.
  [[ -s "$STATE/sysctl.saved" ]] || {
    echo "net.ipv4.ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)"
    [[ -r /proc/sys/net/bridge/bridge-nf-call-iptables ]] &&
      echo "net.bridge.bridge-nf-call-iptables=$(cat /proc/sys/net/bridge/bridge-nf-call-iptables)"
  } >"$STATE/sysctl.saved"
  echo 1 >/proc/sys/net/ipv4/ip_forward
  # Pod-to-Service traffic between pods on one bridge must pass kube-proxy's iptables rules.
  [[ -w /proc/sys/net/bridge/bridge-nf-call-iptables ]] || die "br_netfilter is not available"
  echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables
  if ! ip -4 addr show dev lo | grep -q " $NODE_IP/"; then
    ip addr add "$NODE_IP/32" dev lo
  fi
  [[ -s "$STATE/netns.before" ]] || { ip netns list 2>/dev/null | awk '{ print $1 }' >"$STATE/netns.before" || true; }
  mkdir -p "$STATE/cni/net.d"
  cat >"$STATE/cni/net.d/10-oshinko.conflist" <<CNI
{
  "cniVersion": "1.0.0",
  "name": "oshinko",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$POD_CIDR", "gateway": "$POD_GATEWAY" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$STATE/cni/ipam"
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
CNI
}

# --- components --------------------------------------------------------------------------------------------------

start_containerd() {
  # State left by a containerd that is gone with all its shims (an earlier run that was never taken down) is stale:
  # starting on it would show containers that no longer exist.
  if ! pgrep -f -- "-address $CONTAINERD_SOCK( |\$)" >/dev/null; then
    unmount_under "$RUN_DIR/containerd"
    rm -rf "$RUN_DIR/containerd"
  fi
  mkdir -p "$STATE/containerd/root" "$STATE/containerd/certs.d" "$RUN_DIR/containerd"
  cat >"$STATE/containerd/config.toml" <<TOML
version = 2
root = "$STATE/containerd/root"
state = "$RUN_DIR/containerd"
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # No CAP_SYS_RESOURCE here: without this, lowering a container's oom_score_adj fails every sandbox.
  restrict_oom_score_adj = true
  # Registry hosts: <dir>/<host:port>/hosts.toml, read at each pull (a suite's private registry trusts its own CA
  # there: test/e2e-kube/registry.ts).
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$STATE/containerd/certs.d"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
      SystemdCgroup = false
TOML
  spawn containerd containerd --config "$STATE/containerd/config.toml"
  wait_for containerd 30 ctr_ version
  load_pause_image
}

# The sandbox image, built by images.sh from Kubernetes' own pause.c as the other test images are built, and
# imported as they are (load.sh): no pod ever needs a registry.
load_pause_image() {
  ctr_ images ls -q | grep -qx "$PAUSE_IMAGE" && return
  local archive
  archive="$(bash "$here/images.sh" pause)"
  bash "$here/load.sh" "$archive"
}

start_etcd() {
  mkdir -p "$STATE/etcd"
  spawn etcd etcd --name oshinko-test --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "oshinko-test=http://127.0.0.1:$ETCD_PEER_PORT" --listen-metrics-urls "http://127.0.0.1:2381"
  wait_for etcd 30 curl -fsS "http://127.0.0.1:2381/health"
}

apiserver_ready() {
  curl -fsS --cacert "$CERTS/ca.crt" --cert "$CERTS/admin.crt" --key "$CERTS/admin.key" "$APISERVER_URL/readyz"
}

start_kube-apiserver() {
  spawn kube-apiserver "$KUBE_BIN_DIR/kube-apiserver" \
    --bind-address=127.0.0.1 --secure-port="$APISERVER_PORT" --advertise-address="$NODE_IP" \
    --etcd-servers="http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --cert-dir="$CERTS" --tls-cert-file="$CERTS/kube-apiserver.crt" --tls-private-key-file="$CERTS/kube-apiserver.key" \
    --client-ca-file="$CERTS/ca.crt" \
    --kubelet-client-certificate="$CERTS/kube-apiserver-kubelet-client.crt" \
    --kubelet-client-key="$CERTS/kube-apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=InternalIP \
    --service-account-key-file="$CERTS/service-account.key" \
    --service-account-signing-key-file="$CERTS/service-account.key" \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true \
    --profiling=false
  wait_for kube-apiserver 120 apiserver_ready
  apply_cluster_objects
}

# The apiserver listens on 127.0.0.1 only. Pods reach it at the `kubernetes` Service, whose endpoint is the
# advertised node address: this relay carries those connections (TLS passes through untouched).
start_apiserver-relay() {
  spawn apiserver-relay socat "TCP-LISTEN:$APISERVER_PORT,bind=$NODE_IP,reuseaddr,fork,backlog=128" "TCP:127.0.0.1:$APISERVER_PORT"
}

start_kube-controller-manager() {
  spawn kube-controller-manager "$KUBE_BIN_DIR/kube-controller-manager" \
    --kubeconfig="$STATE/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="$STATE/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$STATE/kube-controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
    --service-account-private-key-file="$CERTS/service-account.key" --root-ca-file="$CERTS/ca.crt" \
    --cluster-signing-cert-file="$CERTS/ca.crt" --cluster-signing-key-file="$CERTS/ca.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" --cluster-cidr="$CLUSTER_CIDR" --allocate-node-cidrs=false \
    --controllers='*,-cloud-node-lifecycle' --profiling=false
}

start_kube-scheduler() {
  spawn kube-scheduler "$KUBE_BIN_DIR/kube-scheduler" \
    --kubeconfig="$STATE/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="$STATE/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="$STATE/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false --profiling=false
}

start_kubelet() {
  mkdir -p "$STATE/kubelet"
  # kubelet's cgroups go under /oshinko in every hierarchy, so down.sh can remove them whole.
  local hierarchy
  for hierarchy in /sys/fs/cgroup/*/; do
    [[ -e "$hierarchy/cgroup.procs" ]] && mkdir -p "$hierarchy/oshinko"
  done
  cat >"$STATE/kubelet/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $CERTS/ca.crt }
authorization:
  mode: Webhook
tlsCertFile: $CERTS/kubelet-serving.crt
tlsPrivateKeyFile: $CERTS/kubelet-serving.key
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
imageServiceEndpoint: unix://$CONTAINERD_SOCK
# This machine has cgroup v1, which kubelet 1.34 refuses unless told otherwise.
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: /oshinko
clusterDNS: [$CLUSTER_DNS]
clusterDomain: $CLUSTER_DOMAIN
resolvConf: /etc/resolv.conf
failSwapOn: false
# Images are imported, never pulled: garbage-collecting one would lose it.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 200Mi
  nodefs.available: 1%
  imagefs.available: 1%
  nodefs.inodesFree: 1%
serializeImagePulls: false
# Fast reaction for tests: the node reports status often, pods are not kept waiting.
nodeStatusUpdateFrequency: 4s
syncFrequency: 10s
fileCheckFrequency: 5s
maxPods: 110
YAML
  spawn kubelet "$KUBE_BIN_DIR/kubelet" \
    --config="$STATE/kubelet/config.yaml" --kubeconfig="$STATE/kubelet.kubeconfig" \
    --root-dir="$STATE/kubelet" --hostname-override="$NODE_NAME" --node-ip="$NODE_IP"
}

start_kube-proxy() {
  mkdir -p "$STATE/kube-proxy"
  cat >"$STATE/kube-proxy/config.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection:
  kubeconfig: $STATE/kube-proxy.kubeconfig
hostnameOverride: $NODE_NAME
clusterCIDR: $CLUSTER_CIDR
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: [$NODE_IP/32]
# No CAP_SYS_RESOURCE-free way to raise conntrack limits here: leave the kernel's.
conntrack:
  maxPerCore: 0
  min: 0
YAML
  spawn kube-proxy "$KUBE_BIN_DIR/kube-proxy" --config="$STATE/kube-proxy/config.yaml"
}

start_coredns() {
  mkdir -p "$STATE/coredns"
  cat >"$STATE/coredns/Corefile" <<COREFILE
.:53 {
    bind $CLUSTER_DNS
    errors
    health 127.0.0.1:8053
    ready 127.0.0.1:8181
    kubernetes $CLUSTER_DOMAIN in-addr.arpa ip6.arpa {
        kubeconfig $STATE/coredns.kubeconfig oshinko-test
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 5
    loadbalance
}
COREFILE
  spawn coredns "$COREDNS_BIN_DIR/coredns" -conf "$STATE/coredns/Corefile"
  wait_for coredns 60 curl -fsS http://127.0.0.1:8181/ready
}

# RBAC for CoreDNS (it runs as a host process with its own certificate).
apply_cluster_objects() {
  kubectl_ apply -f - >/dev/null <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: "oshinko:coredns" }
rules:
  - apiGroups: [""]
    resources: [endpoints, services, pods, namespaces]
    verbs: [list, watch]
  - apiGroups: [discovery.k8s.io]
    resources: [endpointslices]
    verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: "oshinko:coredns" }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "oshinko:coredns" }
subjects:
  - { apiGroup: rbac.authorization.k8s.io, kind: User, name: "oshinko:coredns" }
YAML
}

node_ready() {
  [[ "$(kubectl_ get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" == True ]]
}

write_env() {
  cat >"$STATE/env.tmp" <<ENV
# Written by scripts/kube/up.sh: the running test cluster. Source it from a shell.
KUBECONFIG=$STATE/kubeconfig
CONTAINERD_ADDRESS=$CONTAINERD_SOCK
CONTAINERD_NAMESPACE=k8s.io
OSHINKO_KUBE_STATE=$STATE
OSHINKO_KUBE_NODE=$NODE_NAME
OSHINKO_KUBE_NODE_IP=$NODE_IP
OSHINKO_KUBE_BIN=$KUBE_BIN_DIR
OSHINKO_KUBE_VERSION=$KUBE_VERSION
export KUBECONFIG CONTAINERD_ADDRESS CONTAINERD_NAMESPACE OSHINKO_KUBE_STATE OSHINKO_KUBE_NODE OSHINKO_KUBE_NODE_IP OSHINKO_KUBE_BIN OSHINKO_KUBE_VERSION
ENV
  mv "$STATE/env.tmp" "$STATE/env"
}

began=$SECONDS
make_certs
setup_network
for component in "${COMPONENTS[@]}"; do
  component_running "$component" || "start_$component"
done
write_env
if $started_any; then
  wait_for "node $NODE_NAME" 120 node_ready
  wait_for "the default ServiceAccount" 60 kubectl_ get serviceaccount default -n default
  log "cluster up in $((SECONDS - began))s: KUBECONFIG=$STATE/kubeconfig (source $STATE/env)"
else
  log "cluster already running: KUBECONFIG=$STATE/kubeconfig"
fi
