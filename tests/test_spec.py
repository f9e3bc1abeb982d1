"""Every recording fits OpenAI's published OpenAPI spec: requests, answers, errors and each streamed event.

The spec is vendored in tests/openapi (the part the kit uses, with its licence); where it disagrees
with the live API, tests/openapi/corrections.py says so with the evidence. The counts of what was
checked are written to tests/artifacts/spec-check.txt and shown at the end of the test run.
"""
import copy
import json

import pytest

from helpers import paths
from tests.openapi.check import Report, check_interaction, check_recording, problems, spec
from tests.openapi.corrections import CORRECTIONS
from tests.openapi.vendor import ENDPOINTS, SUBSET, subset

from .conftest import SPEC_SUMMARY

CHAT = "#/components/schemas/CreateChatCompletionResponse"


def test_every_recorded_interaction_fits_the_published_spec():
    report = Report()
    files = sorted(paths.RECORDINGS.glob("*.json"))
    for path in files:
        check_recording(report, path)
    interactions = sum(len(json.loads(p.read_text(encoding="utf-8"))["interactions"]) for p in files)
    SPEC_SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SPEC_SUMMARY.write_text(f"OpenAPI spec check: {report.total} items in {interactions} recorded interactions of "
                            f"{len(files)} recordings ("
                            + ", ".join(f"{count} {kind}" for kind, count in sorted(report.counts.items())) + ")\n")
    assert report.counts["request bodies"] == interactions, "every request was checked"
    assert report.counts["stream events"] > 100 and report.counts["error bodies"] > 0
    assert report.counts["batch output lines"] > 0, "each line of a recorded batch's output was checked"
    assert not report.failures, "\n".join(report.failures[:30])


def test_the_check_fails_a_batch_output_line_the_spec_does_not_accept(tmp_path):
    source = paths.RECORDINGS / "15_batch.json"
    data = json.loads(source.read_text(encoding="utf-8"))
    content = next(i for i in data["interactions"] if i["request"]["path"].endswith("/content"))
    lines = (paths.RECORDINGS / content["response"]["body"]["blob"]).read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[0])
    del broken["response"]["body"]["output"]
    (tmp_path / "blobs").mkdir()
    (tmp_path / content["response"]["body"]["blob"]).write_text(json.dumps(broken) + "\n", encoding="utf-8")
    (tmp_path / source.name).write_text(json.dumps(data), encoding="utf-8")
    report = Report()
    check_recording(report, tmp_path / source.name)
    assert report.counts["batch output lines"] == 1
    assert [f for f in report.failures if "line 1" in f and "'output' is a required property" in f]


def first_with(notebook: str, test) -> dict:
    interactions = json.loads(paths.RECORDINGS.joinpath(f"{notebook}.json").read_text(encoding="utf-8"))["interactions"]
    return copy.deepcopy(next(i for i in interactions if test(i)))


def test_the_check_fails_a_body_the_spec_does_not_accept():
    broken = first_with("01_chat_completions", lambda i: i["response"]["status"]["code"] == 200)
    broken["response"]["body"]["json"]["choices"][0]["finish_reason"] = "done"
    del broken["response"]["body"]["json"]["created"]
    report = Report()
    check_interaction(report, "broken", broken)
    assert any("created" in line for line in report.failures)
    assert any("finish_reason" in line and "'done'" in line for line in report.failures)


def test_the_check_fails_an_unknown_or_malformed_stream_event():
    stream = first_with("06_streaming", lambda i: "text" in (i["response"].get("body") or {}))
    events = stream["response"]["body"]["text"].split("\n\n")
    chunk = json.loads(events[1].removeprefix("data: "))
    chunk["choices"][0]["delta"]["role"] = "robot"
    stream["response"]["body"]["text"] = "\n\n".join([events[0], "data: " + json.dumps(chunk), *events[2:]])
    report = Report()
    check_interaction(report, "stream", stream)
    assert any("role" in line and "robot" in line for line in report.failures)

    event = 'event: response.mystery\ndata: {"type": "response.mystery", "sequence_number": 0}\n\n'
    fake = {"request": {"method": "POST", "path": "/v1/responses", "body": {"model": "gpt-6-luna", "input": "x"}},
            "response": {"status": {"code": 200}, "headers": {"content-type": "text/event-stream"},
                         "body": {"text": event}}}
    report = Report()
    check_interaction(report, "fake", fake)
    assert report.failures == ["fake event 1: type 'response.mystery' is not in the spec"]


def test_a_request_the_spec_refuses_may_only_get_an_error():
    request = {"model": "gpt-6-luna", "messages": [{"role": "user", "content": "hi"}], "temperature": 3}
    answered = first_with("01_chat_completions", lambda i: i["response"]["status"]["code"] == 200)
    answered["request"]["body"] = request
    report = Report()
    check_interaction(report, "answered", answered)
    assert report.failures == ["answered request: temperature: 3 is greater than the maximum of 2"]
    refused = first_with("09_errors_and_retries", lambda i: i["request"].get("body", {}).get("temperature") == 3)
    report = Report()
    check_interaction(report, "refused", refused)
    assert report.failures == [] and report.counts == {"request bodies": 1, "error bodies": 1}


def test_nullable_is_read_as_openapi_means_it():
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
             "choices": [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": None}], "usage": None}
    assert problems(chunk, {"$ref": "#/components/schemas/CreateChatCompletionStreamResponse"}) == []
    chunk["choices"][0]["finish_reason"] = 7
    assert problems(chunk, {"$ref": "#/components/schemas/CreateChatCompletionStreamResponse"})


@pytest.mark.parametrize("correction", CORRECTIONS, ids=lambda c: "/".join(map(str, c.where[-3:])))
def test_every_correction_names_its_evidence_and_still_applies(correction):
    assert len(correction.evidence) > 60 and ("#" in correction.evidence or "openai-python" in correction.evidence
                                               or "spec's own" in correction.evidence)
    correction.apply(copy.deepcopy(json.loads(SUBSET.read_text(encoding="utf-8"))))  # the spec still has the node


def test_the_vendored_subset_is_the_published_spec_unchanged():
    """The subset is the source spec's own schemas for the kit's endpoints: regenerating it changes nothing."""
    source = paths.ROOT.parent / "shared" / "reference" / "openai-openapi" / "openapi.json"
    if not source.is_file():
        pytest.skip("the shared reference copy of the spec is not beside this checkout")
    vendored = json.loads(SUBSET.read_text(encoding="utf-8"))
    assert subset(json.loads(source.read_text(encoding="utf-8"))) == vendored
    assert {(m, p) for p, methods in vendored["paths"].items() for m in methods} == set(ENDPOINTS)
    assert spec()["components"]["schemas"]["CreateChatCompletionResponse"]
    assert CHAT.rsplit("/", 1)[1] in vendored["components"]["schemas"]
