#!/usr/bin/env bash
# Imports image archives (OCI or docker format, as `buildah push` or `podman save` write them) into the test
# node's containerd, where pods find them without a pull. Usage: load.sh <archive.tar> [more.tar ...]
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

(($# > 0)) || die "usage: npm run kube:load -- <image archive .tar> [...]"
component_running containerd || die "the test cluster is not running: npm run kube:up"
for archive in "$@"; do
  [[ -f "$archive" ]] || die "image archive \"$archive\": no such file"
  ctr_ images import --all-platforms -- "$archive" | sed 's/^/[kube] /' >&2
done
# What the node now has, as kubelet sees it (name only; the digests are in `ctr images ls`).
ctr_ images ls -q | grep -v '^sha256:' >&2
