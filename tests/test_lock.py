"""The locks pin the whole environment, agree with the requirement files, and this environment is the lock's."""
from importlib import metadata

import pytest
from packaging.requirements import Requirement

from helpers import paths
from helpers.authoring import lock
from helpers.preflight import pinned

LOCKS = lock.locks()


def locked(path) -> dict[str, Requirement]:
    """The lock's requirements by (normalised) name: every line that pins a version."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split(" #")[0].strip()
        if line and not line.startswith(("#", "-")):
            requirement = Requirement(line)
            found[requirement.name.lower().replace("_", "-")] = requirement
    return found


def version(requirement: Requirement) -> str:
    (specifier,) = requirement.specifier
    assert specifier.operator == "==", f"{requirement} is not pinned exactly"
    return specifier.version


@pytest.mark.parametrize("target", LOCKS, ids=lambda p: str(p.relative_to(paths.ROOT)))
def test_each_lock_was_made_from_the_requirement_files_as_they_are(target):
    inputs = LOCKS[target]
    assert lock.recorded_digest(target) == lock.inputs_digest(inputs), (
        f"{target.name} is stale: run `python -m helpers.authoring.lock` after changing "
        f"{', '.join(p.name for p in inputs)}")
    pins = locked(target)
    for source in inputs:
        for name, wanted in pinned(source).items():
            assert version(pins[name.lower().split("[")[0]]) == wanted, f"{name}: {source.name} says {wanted}"
    assert len(pins) > 3 * sum(len(pinned(p)) for p in inputs), "transitive dependencies are pinned too"


def test_binder_installs_the_kits_lock():
    kit = paths.ROOT / "requirements.lock"
    assert lock.binder_copy().read_text(encoding="utf-8").endswith(kit.read_text(encoding="utf-8"))
    assert {n: version(r) for n, r in locked(lock.binder_copy()).items()} == \
        {n: version(r) for n, r in locked(kit).items()}


def test_this_environment_is_the_test_lock():
    """tests/run_all.sh installs tests/requirements.lock: what runs the tests is what the lock says."""
    differing = []
    for name, requirement in locked(paths.ROOT / "tests" / "requirements.lock").items():
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version(requirement):
            differing.append(f"{name}: locked {version(requirement)}, installed {installed}")
    assert differing == [], "; ".join(differing)
