"""A wheelhouse: a folder with a wheel of every pinned package, so a venue with no network can install.

    python -m helpers.authoring.classroom wheelhouse                                  # this machine
    python -m helpers.authoring.classroom wheelhouse --platform all --python 3.11 3.12 --dest wheelhouse

On a learner's machine, from the kit's folder (the README's install, with no index):

    python3 -m venv .venv && .venv/bin/pip install --no-index --find-links wheelhouse -r requirements.lock -e .

The lock is universal (uv, every platform): each pin's marker is evaluated for the target platform and
Python here, because pip's own `download --platform` evaluates markers for the machine it runs on.
"""
from __future__ import annotations

import argparse
import platform
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import Marker

from .. import paths

# The build backend `pip install -e .` fetches (pyproject.toml's build-system); pinned, like everything else.
BUILD_REQUIREMENTS = ("setuptools==84.2.1",)
PYTHONS = ("3.11", "3.12")  # the kit's Pythons (README, Start)


@dataclass(frozen=True)
class Platform:
    name: str
    tags: tuple[str, ...]   # pip --platform values: every tag a wheel for it may carry
    sys_platform: str
    platform_system: str
    machine: str
    os_name: str = "posix"


def _manylinux(arch: str) -> tuple[str, ...]:
    """glibc 2.28 and every older manylinux a wheel may be tagged with (pip takes the list as given)."""
    return (*(f"manylinux_2_{minor}_{arch}" for minor in range(28, 16, -1)), f"manylinux2014_{arch}")


def _macos(arch: str, newest: int, oldest: tuple[int, int]) -> tuple[str, ...]:
    versions = [f"{major}_0" for major in range(newest, 10, -1)]
    versions += [f"10_{minor}" for minor in range(15, oldest[1] - 1, -1)] if oldest[0] == 10 else []
    return tuple(f"macosx_{v}_{kind}" for v in versions for kind in (arch, "universal2"))


# Learners' machines: Linux with glibc 2.28 or newer (Debian 10, Ubuntu 20.04, RHEL 8 and later), macOS 14+
# on Apple silicon and 12+ on Intel, 64-bit Windows.
PLATFORMS = {p.name: p for p in (
    Platform("linux-x86_64", _manylinux("x86_64"), "linux", "Linux", "x86_64"),
    Platform("linux-aarch64", _manylinux("aarch64"), "linux", "Linux", "aarch64"),
    Platform("macos-arm64", _macos("arm64", 14, (11, 0)), "darwin", "Darwin", "arm64"),
    Platform("macos-x86_64", _macos("x86_64", 12, (10, 9)), "darwin", "Darwin", "x86_64"),
    Platform("windows-amd64", ("win_amd64",), "win32", "Windows", "AMD64", "nt"),
)}


def this_platform() -> str:
    machine = platform.machine().lower()
    if sys.platform == "linux" and machine == "arm64":
        machine = "aarch64"
    for name, target in PLATFORMS.items():
        if target.sys_platform == sys.platform and target.machine.lower() == machine:
            return name
    raise ValueError(f"this machine ({sys.platform}, {machine}) is none of the wheelhouse's platforms: "
                     f"choose one with --platform ({', '.join(PLATFORMS)})")


def pins(lock: Path, target: Platform, python: str, full_version: str | None = None) -> list[str]:
    """The lock's `name==version` lines whose markers hold on the target (Python X.Y, at X.Y.0 unless told)."""
    environment = {"sys_platform": target.sys_platform, "platform_system": target.platform_system,
                   "platform_machine": target.machine, "os_name": target.os_name,
                   "python_version": python, "python_full_version": full_version or f"{python}.0",
                   "implementation_name": "cpython", "platform_python_implementation": "CPython"}
    chosen = []
    for line in lock.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith((" ", "#", "-")):
            continue
        requirement, _, marker = line.partition(";")
        if not marker.strip() or Marker(marker.strip()).evaluate(environment):
            chosen.append(requirement.strip())
    return chosen


def download(dest: Path, target: Platform, python: str, lock: Path) -> None:
    """Every pin for one platform and Python, as wheels only (a package with no wheel there is an error).
    Some pins change within a Python release (`python_full_version >= '3.11.5'`), so both its first and
    its latest patch releases are served."""
    for full_version in (f"{python}.0", f"{python}.99"):
        _download(dest, target, full_version, pins(lock, target, python, full_version) + list(BUILD_REQUIREMENTS))


def _download(dest: Path, target: Platform, python: str, wanted: list[str]) -> None:
    """`python` is X.Y.Z: pip checks each package's Requires-Python against it."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--implementation", "cp", "--python-version", python, "--dest", str(dest)]
    for tag in target.tags:
        command += ["--platform", tag]
    result = subprocess.run(command + wanted, capture_output=True, text=True)
    if result.returncode:
        missing = re.findall(r"No matching distribution found for (\S+)", result.stderr)
        raise ValueError(f"{target.name}, Python {python}: "
                         + (f"no wheel of {', '.join(missing)}" if missing else result.stderr.strip()[-500:]))


def build_kit(dest: Path, wheelhouse: Path | None = None) -> Path:
    """The kit's own wheel (lessons' recordings and data included), for `pip install openai-sdk-kit`; its
    build backend comes from the wheelhouse (by default `dest`), not from an index."""
    for old in dest.glob("openai_sdk_kit-*.whl"):
        old.unlink()
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
                             "--find-links", str(wheelhouse or dest), "--wheel-dir", str(dest), str(paths.ROOT)],
                            capture_output=True, text=True)
    built = sorted(dest.glob("openai_sdk_kit-*.whl"))
    if result.returncode or not built:
        raise ValueError(f"building the kit's wheel failed: {result.stderr.strip()[-500:]}")
    return built[0]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--platform", nargs="+", default=None, metavar="NAME",
                        help=f"one or more of {', '.join(PLATFORMS)}, or all (default: this machine's)")
    parser.add_argument("--python", nargs="+", default=None, metavar="X.Y",
                        help="one or more of 3.11 3.12 (default: this Python's)")
    parser.add_argument("--dest", default="wheelhouse", help="the folder (default: wheelhouse, in the kit's folder)")
    parser.add_argument("--lock", default=str(paths.ROOT / "requirements.lock"),
                        help="the pins (default: requirements.lock; tests/requirements.lock for the tests too)")


def main(args: argparse.Namespace) -> int:
    names = args.platform or [this_platform()]
    names = list(PLATFORMS) if names == ["all"] else names
    pythons = args.python or [f"{sys.version_info.major}.{sys.version_info.minor}"]
    unknown = [n for n in names if n not in PLATFORMS] + [p for p in pythons if p not in PYTHONS]
    if unknown:
        raise ValueError(f"unknown: {', '.join(unknown)}; platforms are {', '.join(PLATFORMS)} (or all), "
                         f"Pythons {' '.join(PYTHONS)}")
    dest = Path(args.dest).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    lock = Path(args.lock)
    for name in names:
        for python in pythons:
            download(dest, PLATFORMS[name], python, lock)
            print(f"{name}, Python {python}: {len(pins(lock, PLATFORMS[name], python))} pins")
    kit = build_kit(dest)
    size = sum(f.stat().st_size for f in dest.iterdir()) / 1e6
    print(f"{kit.name} and {len(list(dest.glob('*.whl')))} wheels in all, {size:.0f} MB, in {dest}\n"
          f"install with: pip install --no-index --find-links {args.dest} -r requirements.lock -e .")
    return 0
