"""Sizing a class: the shipped hub, proxy and TLJH files hold what the sizing command derives, and the
Zero to JupyterHub values pass the chart's own schema."""
import copy
import json
import math
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from helpers.authoring import classroom, sizing
from helpers.paths import ROOT

CLASSROOM = ROOT / "docs" / "classroom"
CHART = Path(__file__).parent / "z2jh"
DEFAULT = sizing.size(sizing.Class())


def load(name):
    return yaml.safe_load((CLASSROOM / name).read_text(encoding="utf-8"))


def dig(tree, dotted):
    for key in dotted.split("."):
        tree = tree[key]
    return tree


def test_the_shipped_files_hold_what_the_command_prints_for_the_default_class():
    assert sizing.update(DEFAULT, check_only=True) == [], \
        "run `python -m helpers.authoring.classroom sizing --write`"
    for name, part in ((sizing.Z2JH, "z2jh"), (sizing.LITELLM, "litellm")):
        values = load(name)
        for dotted, wanted in DEFAULT[part].items():
            assert dig(values, dotted) == wanted, f"{name}: {dotted}"
    guide = (CLASSROOM / sizing.TLJH).read_text(encoding="utf-8")
    assert sizing.tljh_machine(DEFAULT) in guide and sizing.tljh_settings(DEFAULT) in guide


def test_the_command_prints_each_number_with_where_it_comes_from(capsys):
    assert classroom.main(["sizing"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Class of 200: $2 each")
    for value in (DEFAULT["z2jh"]["cull.timeout"], DEFAULT["z2jh"]["scheduling.userPlaceholder.replicas"],
                  DEFAULT["litellm"]["litellm_settings.max_budget"]):
        assert f"| {value} |" in out


def test_check_reports_files_that_differ_from_another_class(capsys):
    assert classroom.main(["sizing", "--learners", "30", "--check"]) == 1
    assert "stale: docs/classroom/z2jh-values.yaml" in capsys.readouterr().out


def helm_merge(defaults, values):
    """Helm's coalescing: maps merge key by key, anything else replaces, null removes a default."""
    merged = copy.deepcopy(defaults)
    for key, value in values.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def chart_errors(values):
    schema = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    defaults = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    merged = helm_merge(defaults, values)
    errors = jsonschema.Draft7Validator(schema).iter_errors(merged)
    return [f"{'.'.join(map(str, e.path))}: {e.message}" for e in errors]


def installed_values():
    """The values file as the documented `helm upgrade --install` gives it: --set-file adds the hook's text."""
    values = load(sizing.Z2JH)
    values["hub"]["extraFiles"]["openai-kit"]["stringData"] = (CLASSROOM / "hub_config.py").read_text(encoding="utf-8")
    return values


def test_the_z2jh_values_pass_the_charts_published_schema():
    assert chart_errors(installed_values()) == []


@pytest.mark.parametrize("path, bad", [("cull.timeout", "90m"), ("singleuser.cpu.guarantee", "0.12"),
                                       ("scheduling.userPlaceholder.replicaz", 67)])
def test_the_schema_check_catches_a_wrong_value(path, bad):
    values = installed_values()
    *parents, last = path.split(".")
    dig(values, ".".join(parents))[last] = bad
    assert chart_errors(values), f"{path}: {bad!r} should fail the chart's schema"


def test_the_values_fit_the_class_they_are_for():
    c = sizing.Class()
    z = DEFAULT["z2jh"]
    guarantee_mb = int(z["singleuser.memory.guarantee"].removesuffix("M"))
    per_node = DEFAULT["learners_per_node"]
    assert guarantee_mb >= sizing.JUPYTERLAB_MB + sizing.KERNEL_PEAK_MB
    assert per_node * guarantee_mb <= (c.node_memory_gb - sizing.NODE_RESERVED_GB) * 1024, "a node's memory"
    assert per_node * z["singleuser.cpu.guarantee"] <= c.node_cpus - sizing.NODE_RESERVED_CPU, "a node's cores"
    assert DEFAULT["nodes"] * per_node >= c.learners
    assert z["cull.timeout"] > classroom.LUNCH[1] * 60, "servers idle over lunch must not all be culled"
    assert z["scheduling.userPlaceholder.replicas"] >= math.ceil(c.learners / classroom.INSTALL[1]), \
        "seats for a minute's arrivals at least"
    lite = DEFAULT["litellm"]
    assert lite["litellm_settings.max_budget"] == c.learners * c.budget_usd, "every learner can spend their budget"
    tier = DEFAULT["tier"]
    assert lite["litellm_settings.default_key_generate_params.rpm_limit"] * c.learners <= tier.rpm
    assert lite["litellm_settings.default_key_generate_params.tpm_limit"] * c.learners <= tier.tpm
    assert tier.monthly_cap_usd >= c.learners * c.budget_usd


def test_the_numbers_follow_the_class():
    small = sizing.size(sizing.Class(learners=20, budget_usd=5))
    assert small["litellm"]["litellm_settings.max_budget"] == 100
    assert small["z2jh"]["scheduling.userPlaceholder.replicas"] == math.ceil(20 * sizing.NODE_START_MINUTES / 15)
    assert small["tier"].number == 1 and small["tier_carries"]
    big = sizing.size(sizing.Class(learners=200, node_memory_gb=32))
    assert big["learners_per_node"] > DEFAULT["learners_per_node"] and big["nodes"] < DEFAULT["nodes"]


def test_the_lowest_tier_that_carries_the_class_is_chosen():
    tier = DEFAULT["tier"]
    lower = [t for t in sizing.TIERS if t.number < tier.number]
    assert DEFAULT["tier_carries"]
    for t in lower:
        assert (t.rpm * 0.9 < DEFAULT["peak_rpm"] or t.tpm * 0.9 < DEFAULT["peak_tpm"]
                or t.monthly_cap_usd < 200 * 2), f"tier {t.number} would carry the class"


def test_a_class_too_big_for_every_tier_says_so(capsys):
    assert classroom.main(["sizing", "--learners", "20000"]) == 0
    assert "NOT enough for this class" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [(["--learners", "0"], "must be positive"),
                                           (["--node-memory", "2"], "more than 2 GB"),
                                           (["--tier", "9"], "--tier should be one of")])
def test_bad_input_is_a_short_message(argv, message, capsys):
    assert classroom.main(["sizing", *argv]) == 2
    assert message in capsys.readouterr().err


def test_the_classroom_guide_quotes_the_default_numbers():
    text = " ".join((CLASSROOM / "README.md").read_text(encoding="utf-8").split())
    lite, tier = DEFAULT["litellm"], DEFAULT["tier"]
    for phrase in (f"a 16 GB node holds {DEFAULT['learners_per_node']}",
                   f"culled only after {DEFAULT['z2jh']['cull.timeout'] // 60} minutes",
                   f"tier {tier.number} ({tier.rpm:,} requests and {tier.tpm:,} tokens",
                   f"{lite['litellm_settings.default_key_generate_params.rpm_limit']} requests and "
                   f"{lite['litellm_settings.default_key_generate_params.tpm_limit']:,} tokens a minute",
                   f"takes {sizing.BURST} times",
                   f"guaranteed {DEFAULT['z2jh']['singleuser.memory.guarantee'].removesuffix('M')} MB"):
        assert phrase in text, phrase


def test_the_classroom_docs_name_the_repository_and_folder_navigation_sets():
    """The fork's repository and folder are set once (helpers/authoring/navigation.py); the guides follow it."""
    from helpers.authoring import navigation

    for path in sorted(CLASSROOM.iterdir()):
        text = path.read_text(encoding="utf-8")
        # every link into a repository names the kit's, but for a cited issue or pull request of another project
        for repository, rest in re.findall(r"(?:github\.com|githubusercontent\.com)/([\w.-]+/[\w.-]+)(/[\w/]*)?", text):
            if re.match(r"/(issues|pull)/\d+", rest) and repository != navigation.REPOSITORY:
                continue
            assert repository == navigation.REPOSITORY, f"{path.name} names {repository}"
        for folder in re.findall(r"(?:~|/home/jovyan)/([\w-][\w.-]*)", text):
            assert folder == navigation.FOLDER, f"{path.name} names the folder {folder}"
