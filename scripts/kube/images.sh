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
#   images.sh all          the three; prints three paths
#   images.sh buildah ARGS...  buildah on this script's storage (e.g. `images.sh buildah images`)
#   images.sh storage-flags    the global buildah flags of that storage, one a line (for callers of buildah)
#   images.sh clean        removes the archives, the rootfs tarballs and the buildah storage
#
# Needs root (mmdebstrap --mode=root, overlay mounts), mmdebstrap, buildah, runc, tar, sha256sum, the network to
# Debian's mirror (rootfs) and to the npm registry (npm itself; `npm ci` in deploy/Containerfile), and, in the
# repository, `npm ci` (node_modules/node) and `npm run setup` (.oshinko/runtime).
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
# Caching: every output is named by a hash of its inputs (the recipe functions below, package lists, the Spark home's
# file list and sizes, the node binary, the build context's files), under $OSHINKO_KUBE_CACHE/images. A second run
# with unchanged inputs prints the path at once (< 1 s, hashing the build context and the node binary included).
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
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=versions.sh
. "$here/versions.sh"

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

log() { printf '[kube:images] %s\n' "$*" >&2; }
die() {
  printf '[kube:images] error: %s\n' "$*" >&2
  exit 1
}

bh() { buildah "${BUILDAH_FLAGS[@]}" "$@"; }

now() { date +%s.%N; }
# Logs how long a step took: `t0=$(now); ...; took "step" "$t0"`.
took() { log "$(awk -v a="$2" -v b="$(now)" -v what="$1" 'BEGIN { printf "%s: %.1f s", what, b - a }')"; }

# A short hash of stdin.
digest() { sha256sum | cut -c1-16; }

# Working containers of this run, removed (and so unmounted) on exit whatever happens.
WORKING=()
cleanup() {
  local c
  for c in "${WORKING[@]}"; do bh rm "$c" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
forget_working() {
  local c rest=()
  for c in "${WORKING[@]}"; do [[ "$c" == "$1" ]] || rest+=("$c"); done
  WORKING=("${rest[@]}")
}

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

rebuild() { [[ "${OSHINKO_IMAGES_REBUILD:-}" == 1 ]]; }

# Removes other outputs of the same name with another key: a changed input leaves no stale archive behind.
drop_stale() {
  local keep="$1" prefix="$2" f
  for f in "$IMAGES_DIR/$prefix"-*.tar; do
    [[ -e "$f" && "$f" != "$keep" ]] && rm -rf "$f"
  done
  return 0
}

# A Debian minbase rootfs with the given packages, as a tarball; prints its path. No docs, man pages, locales; apt's
# lists and caches removed (mmdebstrap's default cleanup).
rootfs() {
  local name="$1"
  shift
  local key out tmp t0
  key="$(
    declare -f rootfs
    printf '%s\n' "$DEBIAN_SUITE" "${DEBIAN_MIRRORS[@]}" "$@"
  )"
  key="$(digest <<<"$key")"
  out="$IMAGES_DIR/rootfs-$name-$key.tar"
  if [[ -f "$out" && -s "$out" ]] && ! rebuild; then
    log "rootfs $name: cached $out"
    printf '%s\n' "$out"
    return
  fi
  local include
  include="$(IFS=,; printf '%s' "$*")"
  # mmdebstrap picks the output format by the name's extension.
  tmp="${out%.tar}.partial.tar"
  rm -rf "$tmp"
  log "rootfs $name: mmdebstrap $DEBIAN_SUITE minbase + $include"
  t0="$(now)"
  # openjdk's postinst registers its man page with update-alternatives, which fails when /usr/share/man/man1 is
  # missing (and path-exclude keeps it missing): the setup hook creates it. The hooks' $1 is mmdebstrap's.
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
    "$DEBIAN_SUITE" "$tmp" "${DEBIAN_MIRRORS[@]}" >&2
  mv "$tmp" "$out"
  took "rootfs $name" "$t0"
  drop_stale "$out" "rootfs-$name"
  printf '%s\n' "$out"
}

# Starts a working container from scratch with the rootfs unpacked; sets CTR and MNT.
scratch_with_rootfs() {
  local rootfs="$1" name="$2" t0
  t0="$(now)"
  bh rm "$name" >/dev/null 2>&1 || true
  CTR="$(bh from --name "$name" scratch)"
  WORKING+=("$CTR")
  MNT="$(bh mount "$CTR")"
  tar -xf "$rootfs" -C "$MNT" --numeric-owner --same-owner --same-permissions --xattrs --xattrs-include='*'
  took "unpack $(basename "$rootfs")" "$t0"
}

image_id() { bh inspect --type image --format '{{.FromImageID}}' "$1" 2>/dev/null || true; }

# The image that a new build of the same tag replaced, removed when nothing else uses it.
drop_replaced() {
  local old="$1" image="$2"
  [[ -n "$old" && "$old" != "$(image_id "$image")" ]] && bh rmi "$old" >/dev/null 2>&1
  return 0
}

# Commits the working container as IMAGE and writes it to ARCHIVE as a docker-archive tagged IMAGE.
commit_and_push() {
  local image="$1" archive="$2" t0 old
  t0="$(now)"
  old="$(image_id "$image")"
  bh umount "$CTR" >/dev/null
  bh commit --quiet --format docker --signature-policy "$POLICY" --rm "$CTR" "$image" >/dev/null
  forget_working "$CTR"
  drop_replaced "$old" "$image"
  took "commit $image" "$t0"
  push_archive "$image" "$archive"
}

push_archive() {
  local image="$1" archive="$2" t0
  t0="$(now)"
  local tmp="${archive%.tar}.partial.tar"
  rm -f "$tmp"
  bh push --quiet --signature-policy "$POLICY" "$image" "docker-archive:$tmp:$image" >&2
  mv "$tmp" "$archive"
  took "push $image to $(basename "$archive") ($(du -m "$archive" | cut -f1) MB)" "$t0"
}

# Makes IMAGE present in the store, loading it from ARCHIVE when the store was wiped.
ensure_in_store() {
  local image="$1" archive="$2"
  bh inspect --type image "$image" >/dev/null 2>&1 && return
  log "loading $image from $archive"
  bh pull --quiet --signature-policy "$POLICY" "docker-archive:$archive" >/dev/null
}

spark_version() {
  local jar
  jar="$(find "$SPARK_SOURCE/jars" -maxdepth 1 -name 'spark-core_*.jar' -print -quit)"
  [[ -n "$jar" ]] || die "no jars/spark-core_*.jar in $SPARK_SOURCE"
  jar="${jar##*/spark-core_}"
  jar="${jar#*-}"
  printf '%s\n' "${jar%.jar}"
}

# The image's entrypoint. It runs its arguments (the Kubernetes driver passes the daemon's command line as the
# container's args), after giving a UID without a passwd entry (OpenShift's arbitrary UIDs) one through nss_wrapper:
# Hadoop's login fails for a nameless user ("invalid null input: name") and so does Ivy (user.home "?"). tini reaps
# the executors' and Python workers' orphans and forwards signals.
spark_entrypoint() {
  local nss_wrapper="$1"
  cat <<EOF
#!/bin/sh
set -e
[ "\$#" -gt 0 ] || set -- /bin/bash
uid="\$(id -u)"
if ! getent passwd "\$uid" >/dev/null 2>&1; then
  if passwd="\$(mktemp /tmp/passwd.XXXXXX 2>/dev/null)"; then
    cat /etc/passwd >"\$passwd"
    printf '%s:x:%s:%s:anonymous uid:/home/spark:/bin/false\n' "\${SPARK_USER_NAME:-spark-\$uid}" "\$uid" "\$(id -g)" >>"\$passwd"
    export LD_PRELOAD="\${LD_PRELOAD:+\$LD_PRELOAD }$nss_wrapper" NSS_WRAPPER_PASSWD="\$passwd" NSS_WRAPPER_GROUP=/etc/group
    export HOME=/home/spark
  else
    echo "entrypoint: uid \$uid has no passwd entry and /tmp is not writable" >&2
  fi
fi
exec /usr/bin/tini -s -- "\$@"
EOF
}

build_spark_base() {
  [[ -x "$SPARK_SOURCE/bin/spark-class" && -d "$SPARK_SOURCE/jars" && -d "$SPARK_SOURCE/python/lib" ]] ||
    die "no Spark home at $SPARK_SOURCE: run \`npm run setup\` in $repo (or set OSHINKO_IMAGES_SPARK_HOME)"
  local version py4j image rootfs key out t0
  version="$(spark_version)"
  py4j="$(cd "$SPARK_SOURCE/python/lib" && compgen -G 'py4j-*-src.zip' | head -n1)" || true
  [[ -n "$py4j" ]] || die "no python/lib/py4j-*-src.zip in $SPARK_SOURCE"
  image="localhost/oshinko/spark:$version"
  rootfs="$(rootfs spark "${SPARK_PACKAGES[@]}")"
  t0="$(now)"
  key="$(
    declare -f build_spark_base spark_entrypoint scratch_with_rootfs commit_and_push
    printf '%s\n' "${rootfs##*/}" "$SPARK_UID" "$SPARK_USER_PYTHON_DIR"
    (cd "$SPARK_SOURCE" && find bin sbin jars python licenses data examples -printf '%p %s %m\n' 2>/dev/null | LC_ALL=C sort)
  )"
  key="$(digest <<<"$key")"
  out="$IMAGES_DIR/spark-$version-$key.tar"
  if [[ -f "$out" && -s "$out" ]] && ! rebuild; then
    log "$image: cached $out"
    printf '%s\n' "$out"
    return
  fi
  local dest
  log "$image: building (Spark home $SPARK_SOURCE)"
  scratch_with_rootfs "$rootfs" oshinko-spark-build
  t0="$(now)"
  dest="$MNT/opt/spark"
  mkdir -p "$dest"
  # The Spark distribution's parts of the pyspark package; its Python sources are also in python/lib/pyspark.zip,
  # which is what Spark's Python workers import.
  local part
  for part in bin sbin jars python licenses data examples; do
    [[ -e "$SPARK_SOURCE/$part" ]] && cp -a "$SPARK_SOURCE/$part" "$dest/"
  done
  find "$dest" -name __pycache__ -type d -prune -exec rm -rf {} +
  chown -R 0:0 "$dest"
  chmod -R u+rwX,go+rX,go-w "$dest"
  mkdir -p "$dest/conf"
  groupadd --root "$MNT" --system --gid "$SPARK_UID" spark
  useradd --root "$MNT" --system --uid "$SPARK_UID" --gid "$SPARK_UID" --home-dir /home/spark --no-create-home \
    --shell /bin/bash spark
  # Writable for uid 185 and, through group 0 with the owner's rights, for an arbitrary UID in group 0 (OpenShift).
  local dir
  for dir in "$dest/work" "$dest/logs" "$dest/work-dir" "$MNT/home/spark" "$MNT$SPARK_USER_PYTHON_DIR"; do
    mkdir -p "$dir"
  done
  for dir in "$dest/work" "$dest/logs" "$dest/work-dir" "$MNT/home/spark"; do
    chown "$SPARK_UID:0" "$dir"
    chmod 0775 "$dir"
  done
  local nss_wrapper
  nss_wrapper="$(cd "$MNT" && find usr/lib -name libnss_wrapper.so -print -quit)"
  [[ -n "$nss_wrapper" ]] || die "libnss_wrapper.so missing from the rootfs"
  spark_entrypoint "/$nss_wrapper" >"$MNT/opt/entrypoint.sh"
  chmod 0755 "$MNT/opt/entrypoint.sh"
  took "Spark home, user, entrypoint" "$t0"
  local java_home
  java_home="$(cd "$MNT" && compgen -G 'usr/lib/jvm/java-17-openjdk-*' | head -n1)" || true
  [[ -n "$java_home" ]] || die "no usr/lib/jvm/java-17-openjdk-* in the rootfs"
  java_home="/$java_home"
  bh config \
    --os linux --arch amd64 \
    --env "JAVA_HOME=$java_home" \
    --env SPARK_HOME=/opt/spark \
    --env "PATH=/opt/spark/bin:/opt/spark/sbin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --env "PYTHONPATH=/opt/spark/python/lib/pyspark.zip:/opt/spark/python/lib/$py4j:$SPARK_USER_PYTHON_DIR" \
    --env LANG=C.UTF-8 \
    --user "$SPARK_UID" \
    --workingdir /opt/spark/work-dir \
    --entrypoint '["/opt/entrypoint.sh"]' \
    --cmd '' \
    --label "org.opencontainers.image.title=oshinko Spark $version" \
    --label "org.opencontainers.image.version=$version" \
    --label "io.oshinko.python-path=$SPARK_USER_PYTHON_DIR" \
    "$CTR"
  commit_and_push "$image" "$out"
  drop_stale "$out" "spark-$version"
  printf '%s\n' "$out"
}

# The Spark base image whose user is a name (`USER spark`), as the official apache/spark images have it: the kubelet
# cannot verify that a name is not root, so a pod with runAsNonRoot and no runAsUser never starts it. Only the image
# config changes: a commit of the base (no files added) and its push, no second build.
build_spark_user_name() {
  local base_archive version base image key out t0 old
  base_archive="$(build_spark_base)"
  version="$(spark_version)"
  base="localhost/oshinko/spark:$version"
  image="localhost/oshinko/spark:$version-user-spark"
  key="$(
    declare -f build_spark_user_name
    printf '%s\n' "${base_archive##*/}"
  )"
  key="$(digest <<<"$key")"
  out="$IMAGES_DIR/spark-user-spark-$version-$key.tar"
  if [[ -f "$out" && -s "$out" ]] && ! rebuild; then
    log "$image: cached $out"
    printf '%s\n' "$out"
    return
  fi
  ensure_in_store "$base" "$base_archive"
  t0="$(now)"
  bh rm oshinko-spark-user-name >/dev/null 2>&1 || true
  CTR="$(bh from --pull-never --name oshinko-spark-user-name "$base")"
  WORKING+=("$CTR")
  bh config --user spark "$CTR"
  old="$(image_id "$image")"
  bh commit --quiet --format docker --signature-policy "$POLICY" --rm "$CTR" "$image" >/dev/null
  forget_working "$CTR"
  drop_replaced "$old" "$image"
  took "commit $image (USER spark)" "$t0"
  push_archive "$image" "$out"
  drop_stale "$out" "spark-user-spark-$version"
  printf '%s\n' "$out"
}

# The real node executable of the repo's `node` dev dependency (node_modules/.bin/node is a link to it).
node_binary() {
  local node
  node="$(readlink -f "$repo/node_modules/node/bin/node" 2>/dev/null || true)"
  [[ -n "$node" && -f "$node" ]] || die "no node_modules/node/bin/node: run \`npm ci\` in $repo"
  [[ "$(head -c4 "$node" | od -An -c | tr -d ' ')" == '177ELF' ]] || die "$node is not an ELF executable"
  printf '%s\n' "$node"
}

# npm's tarball from the npm registry, kept in the cache.
npm_tarball() {
  local out="$IMAGES_DIR/npm-$NPM_VERSION.tgz" tmp
  if [[ ! -s "$out" ]]; then
    command -v npm >/dev/null || die "npm is needed once to fetch npm@$NPM_VERSION"
    tmp="$(mktemp -d "$IMAGES_DIR/npm.XXXXXX")"
    (cd "$tmp" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)
    mv "$tmp/npm-$NPM_VERSION.tgz" "$out"
    rm -rf "$tmp"
  fi
  printf '%s\n' "$out"
}

node_version() {
  local v
  v="$("$(node_binary)" --version)"
  printf '%s\n' "${v#v}"
}

build_node_base() {
  local node version image rootfs npm key out t0
  node="$(node_binary)"
  version="$(node_version)"
  image="localhost/oshinko/node:$version"
  rootfs="$(rootfs node "${NODE_PACKAGES[@]}")"
  npm="$(npm_tarball)"
  key="$(
    declare -f build_node_base scratch_with_rootfs commit_and_push
    printf '%s\n' "${rootfs##*/}" "$NODE_UID" "${npm##*/}"
    sha256sum <"$node"
  )"
  key="$(digest <<<"$key")"
  out="$IMAGES_DIR/node-$version-$key.tar"
  if [[ -f "$out" && -s "$out" ]] && ! rebuild; then
    log "$image: cached $out"
    ensure_in_store "$image" "$out"
    printf '%s\n' "$out"
    return
  fi
  log "$image: building (node $node, npm $NPM_VERSION)"
  scratch_with_rootfs "$rootfs" oshinko-node-build
  t0="$(now)"
  install -D -m 0755 "$node" "$MNT/usr/local/bin/node"
  mkdir -p "$MNT/usr/local/lib/node_modules/npm"
  tar -xzf "$npm" -C "$MNT/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
  chown -R 0:0 "$MNT/usr/local/lib/node_modules"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$MNT/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$MNT/usr/local/bin/npx"
  # The official node images' user.
  groupadd --root "$MNT" --gid "$NODE_UID" node
  useradd --root "$MNT" --uid "$NODE_UID" --gid "$NODE_UID" --home-dir /home/node --create-home --shell /bin/bash node
  took "node, npm, user" "$t0"
  bh config \
    --os linux --arch amd64 \
    --env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --env "NODE_VERSION=$version" \
    --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    --env LANG=C.UTF-8 \
    --cmd '["node"]' \
    --label "org.opencontainers.image.title=oshinko Node $version" \
    --label "org.opencontainers.image.version=$version" \
    "$CTR"
  commit_and_push "$image" "$out"
  drop_stale "$out" "node-$version"
  printf '%s\n' "$out"
}

# The files of the build context, by content: tracked and untracked files that git does not ignore (the
# .dockerignore entries are git-ignored as well).
context_digest() {
  local files
  files="$(
    cd "$repo"
    git ls-files -z --cached --others --exclude-standard |
      while IFS= read -r -d '' f; do if [[ -f "$f" ]]; then printf '%s\n' "$f"; fi; done |
      LC_ALL=C sort
  )"
  {
    printf '%s\n' "$files"
    (cd "$repo" && git hash-object --stdin-paths <<<"$files")
  } | digest
}

build_oshinko() {
  local node_archive node_image key out image=localhost/oshinko/server:dev t0
  node_archive="$(build_node_base)"
  node_image="localhost/oshinko/node:$(node_version)"
  key="$(
    declare -f build_oshinko context_digest
    printf '%s\n' "${node_archive##*/}" "$BUILDAH_ISOLATION"
    context_digest
  )"
  key="$(digest <<<"$key")"
  out="$IMAGES_DIR/server-dev-$key.tar"
  if [[ -f "$out" && -s "$out" ]] && ! rebuild; then
    log "$image: cached $out"
    printf '%s\n' "$out"
    return
  fi
  ensure_in_store "$node_image" "$node_archive"
  local old
  old="$(image_id "$image")"
  log "$image: buildah bud deploy/Containerfile FROM $node_image"
  t0="$(now)"
  # The RUN steps reach the npm registry with the host's CA bundle mounted over the image's (the image's node trusts
  # that file through NODE_EXTRA_CA_CERTS): a TLS-inspecting proxy's CA is then trusted during the build only.
  local ca=() bundle="${OSHINKO_IMAGES_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
  [[ -f "$bundle" ]] && ca=(--volume "$bundle:/etc/ssl/certs/ca-certificates.crt:ro")
  # --layers keeps the `npm ci` step's layer while package*.json are unchanged; --pull=never: the base is local.
  bh bud \
    "${ca[@]}" \
    --signature-policy "$POLICY" \
    --pull=never \
    --layers \
    --force-rm \
    --isolation "$BUILDAH_ISOLATION" \
    --network host \
    --format docker \
    --build-arg "NODE_IMAGE=$node_image" \
    -f "$repo/deploy/Containerfile" \
    -t "$image" \
    "$repo" >&2
  drop_replaced "$old" "$image"
  # No `rmi --prune`: it takes the build stage's untagged images, the `npm ci` step's cache among them. What each
  # build leaves behind is the source and dist (a few MB); `images.sh clean` starts over.
  took "buildah bud $image" "$t0"
  push_archive "$image" "$out"
  drop_stale "$out" server-dev
  printf '%s\n' "$out"
}

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
    spark-base | spark-user-name | node-base | oshinko | all)
      [[ $# -eq 0 ]] || usage
      require_root
      setup_store
      case "$cmd" in
        spark-base) build_spark_base ;;
        spark-user-name) build_spark_user_name ;;
        node-base) build_node_base ;;
        oshinko) build_oshinko ;;
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
