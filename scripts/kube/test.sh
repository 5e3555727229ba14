#!/usr/bin/env bash
# npm run test:kube: the suites of test/e2e-kube against the real single-node Kubernetes of this folder. Brings
# the cluster up when none is running (and takes it down again at the end), builds and loads the test images,
# then runs the suites one file at a time. OSHINKO_SKIP_KUBE=1 skips it, loudly (e.g. where there is no root).
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

if [[ "${OSHINKO_SKIP_KUBE:-}" == 1 ]]; then
  log "OSHINKO_SKIP_KUBE=1: the real-cluster suites (test/e2e-kube) were NOT run"
  exit 0
fi

bash "$here/install-deps.sh"
# A cluster this run brings up, it takes down; one that was running is left running.
if [[ ! -s "$STATE/env" ]]; then trap 'bash "$here/down.sh"' EXIT; fi
bash "$here/up.sh"
base_archive="$(bash "$here/images.sh" spark-base)"
bash "$here/load.sh" "$base_archive"
cd "$repo"
npx vitest run --config vitest.kube.config.ts "$@"
