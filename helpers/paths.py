"""Where the kit keeps its files, found from this package's location."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DATA = ROOT / "data"
RECORDINGS = DATA / "recordings"
STANDIN_SCRIPTS = DATA / "standin"
