"""Every lesson (00-18) runs live through the real LiteLLM proxy with the kit's litellm-config.yaml, in
front of the stand-in, with a learner's key from the key service (tests/classroom_services.py); the
only differences allowed are the ones docs/classroom/README.md lists for the proxy."""
from __future__ import annotations

import os

import nbformat
import pytest

from helpers import paths
from tests import classroom_services as services

pytestmark = pytest.mark.classroom


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    services.skip_unless_installed()
    with services.proxy_stack(tmp_path_factory.mktemp("proxy")) as keys:
        yield keys


# --- every lesson through the proxy ---------------------------------------------------------------------

# What the LiteLLM proxy changes in a lesson run live through it, cell by cell (a piece of the cell's code):
# "answers" for a cell the lesson expects to fail that answers through the proxy, or the error a cell the
# lesson expects to answer raises. docs/classroom/README.md explains each; any other difference fails.
PROXY_CHANGES = {
    # LiteLLM sends max_tokens on as max_completion_tokens (litellm/llms/openai/chat/gpt_5_transformation.py),
    # so the API's 400 never comes.
    ("02_parameters", "max_tokens=12,"): "answers",
    # LiteLLM's usage chunk carries a choice with an empty delta, where the API's has none
    # (litellm/litellm_core_utils/streaming_handler.py), so the loop the lesson shows breaking does not break.
    ("06_streaming", 'stream_options={"include_usage": True},\n)\nfor chunk in stream:'): "answers",
    # LiteLLM 1.106.12 has no Conversations API route (litellm/proxy has no /v1/conversations), so it answers
    # 404; previous_response_id, which the lesson teaches first, works through it.
    ("10_responses_api", "conversation = client.conversations.create()"): "NotFoundError",
    ("10_responses_api", "client.conversations.items.list("): "NameError",  # it reads the conversation made above
}
# Where the proxy stops a lesson: the cell that fails, with what; the cells after it use what it made, so
# they are not compared. Creating a vector store through LiteLLM 1.106.12 in front of the stand-in answers
# 404 (seen in this test; the cause inside LiteLLM is not traced), so lesson 14 stops there.
PROXY_STOPS = {
    "14_file_search": ("client.vector_stores.create(", "NotFoundError"),
}


def run_lesson(name: str, environment: dict) -> dict[str, str]:
    """Run a lesson live; the outcome of each code cell that differs from what the lesson expects."""
    from nbclient import NotebookClient

    nb = nbformat.read(paths.NOTEBOOKS / f"{name}.ipynb", as_version=4)
    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    try:
        NotebookClient(nb, timeout=300, startup_timeout=180, kernel_name="python3", allow_errors=True,
                       record_timing=False, resources={"metadata": {"path": str(paths.NOTEBOOKS)}}).execute()
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    differences = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        error = next((output for output in cell.outputs if output.output_type == "error"), None)
        if "offline-miss" in tags:
            continue  # it fails offline only; live, it answers
        if "raises-exception" in tags and error is None:
            differences[cell.source] = "answers"
        elif "raises-exception" not in tags and error is not None:
            differences[cell.source] = f"{error.ename}: {error.evalue[:300]}"
    return differences


LESSONS = [path.stem for path in sorted(paths.NOTEBOOKS.glob("[0-9]*.ipynb"))]


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_runs_live_through_the_proxy_with_only_the_known_changes(keys, lesson):
    learner = f"lessons-{lesson}"
    keys.manage("/user/new", {"user_id": learner, "max_budget": 50, "models": []})
    _, made = keys.manage("/key/generate", {"user_id": learner, "duration": "1h", "models": []})
    differences = run_lesson(lesson, {"KIT_MODE": "live", "OPENAI_API_KEY": made["key"], "KIT_SANDBOX": "off",
                                      "OPENAI_BASE_URL": f"{keys.url}/v1", "KIT_REPLAY_PACE_MS": "0"})
    expected = {piece: outcome for (name, piece), outcome in PROXY_CHANGES.items() if name == lesson}
    if lesson in PROXY_STOPS:
        piece, error = PROXY_STOPS[lesson]
        expected[piece] = error
        sources = list(differences)
        stop = next((i for i, source in enumerate(sources) if piece in source), len(sources))
        differences = {source: differences[source] for source in sources[:stop + 1]}
    found = {}
    for source, outcome in differences.items():
        piece = next((p for p in expected if p in source), None)
        if piece is None:
            raise AssertionError(f"{lesson}: through the proxy, {source[:120]!r} gives {outcome}")
        found[piece] = outcome.split(":", 1)[0]
    assert found == expected, f"{lesson}: a change the README lists no longer happens"
