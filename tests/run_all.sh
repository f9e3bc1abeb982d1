#!/usr/bin/env bash
# Install the kit and everything its tests need, as on a new machine, then run every test.
# Python packages go into .venv; as root, Debian's Chromium is installed for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-python3}"
"$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r tests/requirements.lock -e .

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# Two workers; nbval needs each notebook's cells kept together on one worker.
exec .venv/bin/python -m pytest -n "${KIT_TEST_WORKERS:-2}" --dist loadscope "$@"
