#!/usr/bin/env bash
# Install the kit and everything its tests need, as on a new machine, then run every test.
# Python packages go into .venv; as root, Debian's Chromium (and npm, if missing) is installed for the browser
# tests, and axe-core, their accessibility scanner, comes from the npm registry into .venv/npm.
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-python3}"
"$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r tests/requirements.lock -e .

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi
if command -v npm >/dev/null; then
  axe_version="$(.venv/bin/python -c 'from tests.browser.looks import AXE_VERSION; print(AXE_VERSION)')"
  npm install --prefix .venv/npm --no-audit --no-fund --silent "axe-core@$axe_version"
fi

# Two workers; nbval needs each notebook's cells kept together on one worker.
exec .venv/bin/python -m pytest -n "${KIT_TEST_WORKERS:-2}" --dist loadscope "$@"
