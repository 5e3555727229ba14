#!/usr/bin/env bash
# What `npm test` needs besides npm's own packages, installed when missing, so that `npm ci && npm test` works on a
# fresh machine as it does in CI: Chromium from Debian for the console suites. Idempotent and quick when all is
# there. The real-Kubernetes suites' packages are scripts/kube/install-deps.sh's, which `npm run test:kube` runs.
set -euo pipefail
cd "$(dirname "$0")/.."

chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "[test] error: Chromium is missing at $chromium; install it (Debian: sudo apt-get install chromium) or set CHROMIUM_PATH" >&2
    exit 1
  fi
  echo "[test] installing chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
