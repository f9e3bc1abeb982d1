"""Where the kit keeps its files, found from this package's location.

Modules read these at call time (`paths.RECORDINGS`, not a copy made at import), so a test or a
tool can point the kit at another folder by setting them here alone.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DATA = ROOT / "data"
RECORDINGS = DATA / "recordings"
STANDIN_SCRIPTS = DATA / "standin"
GUIDE = ROOT / "docs" / "instructor-guide.md"


def lessons() -> list[Path]:
    """The lesson notebooks, in order (their names start with two digits)."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]*.ipynb"))
