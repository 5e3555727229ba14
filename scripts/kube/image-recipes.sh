# The recipes of the test images, sourced by images.sh: each `build_<image>` gathers its inputs and hands them to
# cached_build (lib.sh), whose builder `make_<image>` takes one working container to a docker archive.
# shellcheck shell=bash

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
  local version py4j rootfs
  version="$(spark_version)"
  py4j="$(cd "$SPARK_SOURCE/python/lib" && compgen -G 'py4j-*-src.zip' | head -n1)" || true
  [[ -n "$py4j" ]] || die "no python/lib/py4j-*-src.zip in $SPARK_SOURCE"
  rootfs="$(rootfs spark "${SPARK_PACKAGES[@]}")"
  cached_build "localhost/oshinko/spark:$version" "$IMAGES_DIR/spark-$version" \
    "$(
      declare -f make_spark_base spark_entrypoint scratch_with_rootfs working_container commit_and_push
      printf '%s\n' "${rootfs##*/}" "$SPARK_UID" "$SPARK_USER_PYTHON_DIR"
      (cd "$SPARK_SOURCE" && find bin sbin jars python licenses data examples -printf '%p %s %m\n' 2>/dev/null | LC_ALL=C sort)
    )" \
    make_spark_base "$rootfs" "$version" "$py4j"
}

make_spark_base() {
  local rootfs="$1" version="$2" py4j="$3" out="$4" image="localhost/oshinko/spark:$2" dest t0
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
}

# The Spark base image whose user is a name (`USER spark`), as the official apache/spark images have it: the kubelet
# cannot verify that a name is not root, so a pod with runAsNonRoot and no runAsUser never starts it. Only the image
# config changes: a commit of the base (no files added) and its push, no second build.
build_spark_user_name() {
  local base_archive version
  base_archive="$(build_spark_base)"
  version="$(spark_version)"
  cached_build "localhost/oshinko/spark:$version-user-spark" "$IMAGES_DIR/spark-user-spark-$version" \
    "$(
      declare -f make_spark_user_name working_container commit_and_push
      printf '%s\n' "${base_archive##*/}"
    )" \
    make_spark_user_name "$base_archive" "$version"
}

make_spark_user_name() {
  local base_archive="$1" version="$2" out="$3" base="localhost/oshinko/spark:$2"
  ensure_in_store "$base" "$base_archive"
  working_container oshinko-spark-user-name "$base"
  bh config --user spark "$CTR"
  commit_and_push "$base-user-spark" "$out"
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
  local node version rootfs npm
  node="$(node_binary)"
  version="$(node_version)"
  rootfs="$(rootfs node "${NODE_PACKAGES[@]}")"
  npm="$(npm_tarball)"
  cached_build "localhost/oshinko/node:$version" "$IMAGES_DIR/node-$version" \
    "$(
      declare -f make_node_base scratch_with_rootfs working_container commit_and_push
      printf '%s\n' "${rootfs##*/}" "$NODE_UID" "${npm##*/}"
      sha256sum <"$node"
    )" \
    make_node_base "$rootfs" "$node" "$version" "$npm"
}

make_node_base() {
  local rootfs="$1" node="$2" version="$3" npm="$4" out="$5" image="localhost/oshinko/node:$3" t0
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
  local node_archive
  node_archive="$(build_node_base)"
  cached_build localhost/oshinko/server:dev "$IMAGES_DIR/server-dev" \
    "$(
      declare -f make_oshinko context_digest
      printf '%s\n' "${node_archive##*/}" "$BUILDAH_ISOLATION"
      context_digest
    )" \
    make_oshinko "$node_archive" "localhost/oshinko/node:$(node_version)"
}

# The server image is deploy/Containerfile's: `buildah bud` instead of a working container, pushed the same way.
make_oshinko() {
  local node_archive="$1" node_image="$2" out="$3" image=localhost/oshinko/server:dev old t0
  ensure_in_store "$node_image" "$node_archive"
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
}

# The node's sandbox image ($PAUSE_IMAGE, containerd's sandbox_image): Kubernetes' own pause.c of $KUBE_VERSION,
# compiled static, alone in an image from scratch; so no pod ever needs a registry.
build_pause() {
  local src
  command -v go >/dev/null && command -v gcc >/dev/null || die "go and gcc are needed for pause (install-deps.sh)"
  src="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  src="$src/build/pause/linux/pause.c"
  [[ -f "$src" ]] || die "no $src"
  cached_build "$PAUSE_IMAGE" "$IMAGES_DIR/pause-${PAUSE_IMAGE##*:}" \
    "$(
      declare -f make_pause working_container commit_and_push
      printf '%s\n' "$PAUSE_IMAGE"
      sha256sum <"$src"
    )" \
    make_pause "$src"
}

make_pause() {
  local src="$1" out="$2"
  working_container oshinko-pause-build scratch
  gcc -Os -static -Wall -o "$MNT/pause" -DVERSION="${PAUSE_IMAGE##*:}" "$src"
  bh config --os linux --arch amd64 --entrypoint '["/pause"]' --user 65535:65535 "$CTR"
  commit_and_push "$PAUSE_IMAGE" "$out"
}
