# Pinned versions of the test cluster's components. Sourced by the other scripts in this folder.
# Kubernetes and CoreDNS are built from the Go module proxy; the rest comes from Debian (see install-deps.sh).
KUBE_VERSION=v1.34.4
# The published staging modules that go with KUBE_VERSION (k8s.io/api, k8s.io/client-go, ...).
KUBE_STAGING_VERSION=v0.34.4
# The CoreDNS release Kubernetes 1.34 ships with (cmd/kubeadm/app/constants).
COREDNS_VERSION=v1.12.1

OSHINKO_KUBE_CACHE="${OSHINKO_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/oshinko/kube}"
KUBE_BIN_DIR="$OSHINKO_KUBE_CACHE/kubernetes-$KUBE_VERSION/bin"
COREDNS_BIN_DIR="$OSHINKO_KUBE_CACHE/coredns-$COREDNS_VERSION/bin"
