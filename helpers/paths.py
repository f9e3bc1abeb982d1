"""Where the kit keeps its files, found from this package's location.

Modules read these at call time (`paths.RECORDINGS`, not a copy made at import), so a test or a
tool can point the kit at another folder by setting them here alone.
"""
import os
from pathlib import Path

REPOSITORY = "openai-sdk-kit/openai-sdk-kit"  # owner/name on GitHub: the one place it is set
BRANCH = "main"  # the branch badges, links and the Colab install point at
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
# In the repository (and an editable install) the data is data/; an installed wheel carries it inside the
# package as helpers/_data (setup.py), so a lesson runs outside the repository, on Colab for one.
_PACKAGED = Path(__file__).resolve().parent / "_data"
DATA = _PACKAGED if _PACKAGED.is_dir() else ROOT / "data"
RECORDINGS = DATA / "recordings"
STANDIN_SCRIPTS = DATA / "standin"
GUIDE = ROOT / "docs" / "instructor-guide.md"


def lessons() -> list[Path]:
    """The lesson notebooks, in order (their names start with two digits)."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]*.ipynb"))


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target, then rename over it: a crash or a second kernel never sees half a file."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except BaseException:  # a full disk or an interrupt: leave the old file, and no half-written one
        partial.unlink(missing_ok=True)
        raise
