"""The kit's package layout, beside pyproject.toml: `data/` (recordings, stand-in scripts, audio, documents)
ships inside the wheel as `helpers/_data`, so a lesson runs where the kit is installed (Colab, a folder
of its own) without moving `data/` in the repository. Every file under `data/` is included, new ones too."""
from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["helpers", "helpers.*"]), "helpers._data"],
    package_dir={"helpers._data": "data"},
    package_data={"helpers": ["py.typed"], "helpers._data": ["**/*"]},
)
