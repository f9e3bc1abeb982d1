"""pytest plugin (loaded by pyproject.toml): tests and nbval kernels run offline with no key.

Kernels inherit this process's environment, so a key exported on the machine never reaches a test.
"""
import os

os.environ["KIT_MODE"] = "offline"
os.environ["KIT_REPLAY_PACE_MS"] = "0"  # replayed streams at full speed
os.environ["KIT_SANDBOX"] = "off"  # stored outputs are the recordings' answers; the sandbox tests turn it on
for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "KIT_OVERWRITE",
             "KIT_SANDBOX_URL", "KIT_SANDBOX_MODEL"):
    os.environ.pop(name, None)
