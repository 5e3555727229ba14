#!/usr/bin/env bash
# Builds the test cluster's container images locally, without any container registry: Debian rootfs by mmdebstrap
# from Debian's mirror, the Spark home that `npm run setup` installed, the Node binary of the repo's `node` dev
# dependency, npm from the npm registry. Each subcommand prints the path of a docker-archive .tar (one image, its
# tag inside, for `ctr -n k8s.io images import <tar>`) on stdout; logs go to stderr.
#
#   images.sh spark-base   localhost/oshinko/spark:<spark version>  (Spark home at /opt/spark, Java 17, python3)
#   images.sh spark-user-name  localhost/oshinko/spark:<spark version>-user-spark (the same, USER spark: a name, as
#                          in the official apache/spark images)
#   images.sh node-base    localhost/oshinko/node:<node version>    (node and npm in /usr/local, ca-certificates)
#   images.sh oshinko      localhost/oshinko/server:dev             (deploy/Containerfile FROM the node image)
#   images.sh pause        localhost/oshinko/pause:3.10 (the node's sandbox image, from Kubernetes' own pause.c)
#   images.sh all          spark-base, node-base and oshinko; prints three paths
#   images.sh buildah ARGS...  buildah on this script's storage (e.g. `images.sh buildah images`)
#   images.sh storage-flags    the global buildah flags of that storage, one a line (for callers of buildah)
#   images.sh clean        removes the archives, the rootfs tarballs and the buildah storage
#
# Needs root (mmdebstrap --mode=root, overlay mounts), mmdebstrap, buildah, runc, tar, sha256sum, the network to
# Debian's mirror (rootfs) and to the npm registry (npm itself; `npm ci` in deploy/Containerfile), and, in the
# repository, `npm ci` (node_modules/node) and `npm run setup` (.oshinko/runtime); for pause, go and gcc.
#
# The Spark image runs as spark (uid 185, group 0 may write /opt/spark/{work,logs,work-dir} and /home/spark). Its
# entrypoint, /opt/entrypoint.sh, runs its arguments (the Kubernetes driver's container args) under tini, after giving
# an arbitrary UID a passwd entry. PYTHONPATH holds Spark's zips and /opt/oshinko/python: a derived image puts Python
# modules for the executors there (the executors' PYTHONPATH includes the container's), in a few seconds:
#   c=$(images.sh buildah from --pull-never localhost/oshinko/spark:4.3.0)    # or docker-archive:<tar>, ~10 s cold
#   images.sh buildah copy --chmod 0644 "$c" mod.py /opt/oshinko/python/mod.py
#   images.sh buildah commit --quiet --rm "$c" IMAGE
#   images.sh buildah push --quiet IMAGE docker-archive:OUT.tar:IMAGE           # ~4 s, the whole image (836 MB)
#
# Every image takes one path: a working container (from a rootfs, another image or scratch), changed, committed,
# pushed to a docker archive. Caching (lib.sh's cached_build): every output is named by a hash of its inputs (the
# recipe functions below, package lists, the Spark home's file list and sizes, the node binary, the build context's
# files, pause.c), under $OSHINKO_KUBE_CACHE/images. A second run with unchanged inputs prints the path at once
# (< 1 s, hashing the build context and the node binary included).
# Debian's packages are not an input: OSHINKO_IMAGES_REBUILD=1 rebuilds everything (e.g. for security updates).
#
# Times measured on the 2-core test machine (with a Kubernetes build or the e2e suite running alongside):
#   rootfs for Spark (mmdebstrap, ~110 packages)  26-33 s   rootfs for Node                          19-28 s
#   spark-base: unpack, Spark home, user           ~2 s     commit 11-14 s, push 4-5 s (836 MB)      ~20 s
#   spark-user-name: commit of spark-base with another USER ~1 s     push 4-15 s (836 MB)              ~15 s
#   node-base: unpack, node, npm, user             ~1 s     commit 4-6 s, push ~2 s (263 MB)         ~8 s
#   oshinko: buildah bud (npm ci, tsc, vite)       65-130 s; 20-30 s when package*.json are unchanged (--layers)
#   a cached output                                < 1 s (`all`: ~1 s)
#
# Storage: buildah's own store under $OSHINKO_KUBE_CACHE/buildah/<driver> (--root, --runroot, --storage-driver on
# every call), nothing in /var/lib/containers. The driver is overlay when the kernel has it (native diff on ext4), vfs
# otherwise; OSHINKO_BUILDAH_DRIVER overrides. RUN steps of `buildah bud` use the default OCI isolation (runc) with
# the host's network (no CNI here); OSHINKO_BUILDAH_ISOLATION=chroot is the fallback where runc cannot run.
set -euo pipefail
LOG_TAG=kube:images
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

IMAGES_DIR="$OSHINKO_KUBE_CACHE/images"
DEBIAN_SUITE=bookworm
DEBIAN_MIRRORS=(
  "deb http://deb.debian.org/debian $DEBIAN_SUITE main"
  "deb http://deb.debian.org/debian $DEBIAN_SUITE-updates main"
  "deb http://deb.debian.org/debian-security $DEBIAN_SUITE-security main"
)
SPARK_PACKAGES=(openjdk-17-jre-headless python3 procps bash tini libnss-wrapper)
NODE_PACKAGES=(ca-certificates libstdc++6 bash)
# npm for the node image (the `node` package carries no npm). The npm that Node 24 ships is an 11.x.
NPM_VERSION=11.21.2
# The Spark home to copy to /opt/spark: the pyspark package that `npm run setup` installed (a full Spark home).
SPARK_SOURCE="${OSHINKO_IMAGES_SPARK_HOME:-$repo/.oshinko/runtime/pyspark}"
SPARK_UID=185
NODE_UID=1000
# Spark's executors run Python with PYTHONPATH = Spark's zips + this container's PYTHONPATH, so a module copied into
# this directory by a derived image is importable by the executors (and by python3 in the image).
SPARK_USER_PYTHON_DIR=/opt/oshinko/python

BUILDAH_DRIVER="${OSHINKO_BUILDAH_DRIVER:-}"
if [[ -z "$BUILDAH_DRIVER" ]]; then
  if grep -qw overlay /proc/filesystems; then BUILDAH_DRIVER=overlay; else BUILDAH_DRIVER=vfs; fi
fi
BUILDAH_ISOLATION="${OSHINKO_BUILDAH_ISOLATION:-oci}"
# A store is tied to its driver, so each driver has its own.
BUILDAH_DIR="$OSHINKO_KUBE_CACHE/buildah/$BUILDAH_DRIVER"
BUILDAH_FLAGS=(--root "$BUILDAH_DIR/root" --runroot "$BUILDAH_DIR/run" --storage-driver "$BUILDAH_DRIVER")
POLICY="$OSHINKO_KUBE_CACHE/buildah/policy.json"

bh() { buildah "${BUILDAH_FLAGS[@]}" "$@"; }

# Working containers of this run, removed (and so unmounted) on exit whatever happens.
WORKING=()
cleanup() {
  local c
  for c in "${WORKING[@]}"; do bh rm "$c" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

setup_store() {
  mkdir -p "$IMAGES_DIR" "$BUILDAH_DIR"
  # Pulling from and pushing to archives consults a signature policy; ours accepts anything (local files only) and
  # does not depend on /etc/containers.
  [[ -f "$POLICY" ]] || printf '{ "default": [{ "type": "insecureAcceptAnything" }] }\n' >"$POLICY"
  # One build at a time: concurrent callers wait here and then find the cached output.
  exec 9>"$IMAGES_DIR/.lock"
  flock 9
}

require_root() {
  [[ "$(id -u)" == 0 ]] || die "run as root (mmdebstrap --mode=root and buildah's overlay mounts need it)"
  local tool
  for tool in mmdebstrap buildah runc tar sha256sum flock git; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install mmdebstrap buildah runc)"
  done
}

# --- the image path: a working container, changed, committed and pushed to a docker archive -----------------------

# A Debian minbase rootfs with the given packages, as a tarball; prints its path. No docs, man pages, locales; apt's
# lists and caches removed (mmdebstrap's default cleanup).
rootfs() {
  local name="$1"
  shift
  cached_build "rootfs $name" "$IMAGES_DIR/rootfs-$name" \
    "$(
      declare -f make_rootfs
      printf '%s\n' "$DEBIAN_SUITE" "${DEBIAN_MIRRORS[@]}" "$@"
    )" \
    make_rootfs "$@"
}

# make_rootfs PACKAGES... OUT
make_rootfs() {
  local out="${!#}" include t0
  include="$(IFS=,; printf '%s' "${*:1:$#-1}")"
  log "rootfs: mmdebstrap $DEBIAN_SUITE minbase + $include"
  t0="$(now)"
  # mmdebstrap picks the output format by the name's extension. openjdk's postinst registers its man page with
  # update-alternatives, which fails when /usr/share/man/man1 is missing (and path-exclude keeps it missing): the
  # setup hook creates it. The hooks' $1 is mmdebstrap's.
  # shellcheck disable=SC2016
  mmdebstrap --variant=minbase --mode=root --quiet \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --setup-hook='mkdir -p "$1/usr/share/man/man1"' \
    --customize-hook='rm -rf "$1"/var/log/apt/* "$1"/var/log/dpkg.log "$1"/var/log/alternatives.log "$1"/var/cache/ldconfig/aux-cache' \
    --include="$include" \
    "$DEBIAN_SUITE" "$out" "${DEBIAN_MIRRORS[@]}" >&2
  took "rootfs $include" "$t0"
}

# working_container NAME FROM: a fresh working container NAME from an image or `scratch`, mounted; sets CTR and MNT.
working_container() {
  local name="$1" from="$2"
  bh rm "$name" >/dev/null 2>&1 || true
  CTR="$(bh from --pull-never --name "$name" "$from")"
  WORKING+=("$CTR")
  MNT="$(bh mount "$CTR")"
}

# A working container from scratch with the rootfs unpacked; sets CTR and MNT.
scratch_with_rootfs() {
  local rootfs="$1" name="$2" t0
  t0="$(now)"
  working_container "$name" scratch
  tar -xf "$rootfs" -C "$MNT" --numeric-owner --same-owner --same-permissions --xattrs --xattrs-include='*'
  took "unpack $(basename "$rootfs")" "$t0"
}

image_id() { bh inspect --type image --format '{{.FromImageID}}' "$1" 2>/dev/null || true; }

# The image that a new build of the same tag replaced, removed when nothing else uses it.
drop_replaced() {
  local old="$1" image="$2"
  if [[ -n "$old" && "$old" != "$(image_id "$image")" ]]; then bh rmi "$old" >/dev/null 2>&1 || true; fi
}

# Commits the working container as IMAGE and writes it to ARCHIVE as a docker-archive tagged IMAGE.
commit_and_push() {
  local image="$1" archive="$2" t0 old c rest=()
  t0="$(now)"
  old="$(image_id "$image")"
  bh umount "$CTR" >/dev/null
  bh commit --quiet --format docker --signature-policy "$POLICY" --rm "$CTR" "$image" >/dev/null
  for c in "${WORKING[@]}"; do [[ "$c" == "$CTR" ]] || rest+=("$c"); done
  WORKING=("${rest[@]}")
  drop_replaced "$old" "$image"
  took "commit $image" "$t0"
  push_archive "$image" "$archive"
}

push_archive() {
  local image="$1" archive="$2" t0
  t0="$(now)"
  bh push --quiet --signature-policy "$POLICY" "$image" "docker-archive:$archive:$image" >&2
  took "push $image ($(du -m "$archive" | cut -f1) MB)" "$t0"
}

# Makes IMAGE present in the store, loading it from ARCHIVE when the store was wiped.
ensure_in_store() {
  local image="$1" archive="$2"
  bh inspect --type image "$image" >/dev/null 2>&1 && return
  log "loading $image from $archive"
  bh pull --quiet --signature-policy "$POLICY" "docker-archive:$archive" >/dev/null
}

# shellcheck source=image-recipes.sh
. "$here/image-recipes.sh"

clean() {
  if [[ -d "$OSHINKO_KUBE_CACHE/buildah" ]]; then
    local d
    for d in "$OSHINKO_KUBE_CACHE"/buildah/*/; do
      [[ -d "$d/root" ]] || continue
      buildah --root "$d/root" --runroot "$d/run" --storage-driver "$(basename "$d")" rm --all >/dev/null 2>&1 || true
      buildah --root "$d/root" --runroot "$d/run" --storage-driver "$(basename "$d")" rmi --all --force >/dev/null 2>&1 || true
      if findmnt -rn -o TARGET | grep -qF "${d%/}/"; then
        die "mounts remain under $d; not removing it"
      fi
      # The overlay driver's store mounts itself (a private bind mount of its root) and leaves it mounted.
      umount "$d/root/overlay" 2>/dev/null || true
    done
    rm -rf "$OSHINKO_KUBE_CACHE/buildah"
  fi
  rm -rf "$IMAGES_DIR"
  log "removed $IMAGES_DIR and $OSHINKO_KUBE_CACHE/buildah"
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    spark-base | spark-user-name | node-base | oshinko | pause | all)
      [[ $# -eq 0 ]] || usage
      require_root
      setup_store
      case "$cmd" in
        spark-base) build_spark_base ;;
        spark-user-name) build_spark_user_name ;;
        node-base) build_node_base ;;
        oshinko) build_oshinko ;;
        pause) build_pause ;;
        all)
          build_spark_base
          build_node_base
          build_oshinko
          ;;
      esac
      ;;
    buildah)
      mkdir -p "$BUILDAH_DIR"
      exec buildah "${BUILDAH_FLAGS[@]}" "$@"
      ;;
    storage-flags) printf '%s\n' "${BUILDAH_FLAGS[@]}" ;;
    clean)
      [[ $# -eq 0 ]] || usage
      require_root
      setup_store
      clean
      ;;
    *) usage ;;
  esac
}

main "$@"
