#!/usr/bin/env bash
# What `npm test` needs besides npm's own packages, installed when missing, so that `npm ci && npm test` works on a
# fresh machine as it does in CI: Chromium from Debian for the console suites, and the OpenAPI fuzzer (schemathesis
# from PyPI, pinned in test/api/fuzz/requirements.txt) in a virtual environment of its own. Idempotent and quick
# when all is there. The real-Kubernetes suites' packages are scripts/kube/install-deps.sh's, which `npm run test:kube` runs.
set -euo pipefail
cd "$(dirname "$0")/.."

# Installs Debian packages as root, or stops with what to install by hand: apt_install WHY PACKAGE...
apt_install() {
  local why=$1
  shift
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "[test] error: $why (Debian: sudo apt-get install $*)" >&2
    exit 1
  fi
  echo "[test] installing $*" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  apt_install "Chromium is missing at $chromium; install it or set CHROMIUM_PATH" chromium
fi

# The fuzzer's environment is made anew whenever the pins change (the environment keeps a copy of them).
requirements=test/api/fuzz/requirements.txt
venv=${XDG_CACHE_HOME:-$HOME/.cache}/oshinko/schemathesis
if ! cmp -s "$requirements" "$venv/requirements.txt" || [ ! -x "$venv/bin/st" ]; then
  python=$(command -v python3 || true)
  if [ -z "$python" ] || ! "$python" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    apt_install "the OpenAPI fuzzer needs Python 3.10 or later with venv" python3 python3-venv
    python=$(command -v python3)
  fi
  echo "[test] installing the OpenAPI fuzzer ($(grep -m1 '^schemathesis==' "$requirements")) into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/requirements.txt"
fi
