"""Files, vector stores, file search, PDF input and the Batch API: the stand-in, the recordings and the prices."""
from __future__ import annotations

import base64
import json
import math

import openai
import pytest
from openai import OpenAI

from helpers import meter, models, modes, paths, prices, traffic, vision
from helpers.authoring import figures, pdf
from helpers.authoring.standin import StandIn
from helpers.tokens import count_text

from tests.conftest import PLANTED_KEY

GUIDE = sorted((paths.ROOT / "data" / "documents").glob("0*.md"))
PDF = paths.ROOT / "data" / "documents" / "pdf" / "05_safety.pdf"


@pytest.fixture
def client():
    with StandIn(require_key=False) as server:
        yield OpenAI(base_url=server.url, api_key="unused"), server


def upload_guide(client: OpenAI) -> list:
    files = []
    for path in GUIDE:
        with path.open("rb") as f:
            files.append(client.files.create(file=f, purpose="assistants"))
    return files


def guide_store(client: OpenAI):
    files = upload_guide(client)
    store = client.vector_stores.create(name="guide")
    client.vector_stores.file_batches.create_and_poll(vector_store_id=store.id, file_ids=[f.id for f in files])
    return store, files


def test_files_upload_retrieve_list_content_and_delete(client):
    client, _ = client
    uploaded = upload_guide(client)
    assert [f.filename for f in uploaded] == [p.name for p in GUIDE]
    assert [f.bytes for f in uploaded] == [p.stat().st_size for p in GUIDE]
    assert len({f.id for f in uploaded}) == len(GUIDE) and all(f.id.startswith("file-") for f in uploaded)
    assert client.files.retrieve(uploaded[1].id) == uploaded[1]
    assert {f.id for f in client.files.list().data} == {f.id for f in uploaded}
    assert client.files.content(uploaded[2].id).content == GUIDE[2].read_bytes()
    assert client.files.delete(uploaded[0].id).deleted
    with pytest.raises(openai.NotFoundError, match=f"No such File object: {uploaded[0].id}"):
        client.files.retrieve(uploaded[0].id)


def test_a_file_batch_is_in_progress_when_made_and_completed_when_polled(client):
    client, server = client
    files = upload_guide(client)
    store = client.vector_stores.create(name="guide")
    assert store.status == "completed" and store.file_counts.total == 0
    made = client.vector_stores.file_batches.create(vector_store_id=store.id, file_ids=[f.id for f in files])
    assert made.status == "in_progress" and made.file_counts.in_progress == len(files)
    polled = client.vector_stores.file_batches.poll(made.id, vector_store_id=store.id)
    assert polled.status == "completed" and polled.file_counts.completed == len(files)
    store = client.vector_stores.retrieve(store.id)
    assert store.file_counts.completed == len(files)
    assert store.usage_bytes == sum(p.stat().st_size for p in GUIDE)


def test_file_search_reports_its_call_and_cites_the_file_that_answers(client):
    client, _ = client
    store, _ = guide_store(client)
    tool = {"type": "file_search", "vector_store_ids": [store.id]}
    answer = client.responses.create(model=models.CHAT, input="How much does a tent pitch cost a night?",
                                     tools=[tool])
    kinds = [item.type for item in answer.output]
    assert kinds == ["reasoning", "file_search_call", "message"]
    call = answer.output[1]
    assert call.status == "completed" and call.queries == ["How much does a tent pitch cost a night?"]
    assert call.results is None, "results only when included"
    text = answer.output[-1].content[0]
    assert [n.filename for n in text.annotations][:1] == ["03_camping.md"]
    assert all(n.type == "file_citation" and n.index == len(text.text) for n in text.annotations)

    plain = client.responses.create(model=models.CHAT, input="How much does a tent pitch cost a night?")
    assert answer.usage.input_tokens > plain.usage.input_tokens + 500, "the retrieved chunks are input"

    found = client.responses.create(model=models.CHAT, input="Are dogs welcome on the trails?",
                                    tools=[{**tool, "max_num_results": 2}], include=["file_search_call.results"])
    results = found.output[1].results
    assert len(results) == 2 and results[0].filename == "02_trails.md"
    assert results[0].score >= results[1].score and 0 < results[1].score <= 1
    assert results[0].text in (paths.ROOT / "data" / "documents" / "02_trails.md").read_text()


def test_file_search_on_an_unknown_vector_store_is_refused(client):
    client, _ = client
    with pytest.raises(openai.NotFoundError):
        client.responses.create(model=models.CHAT, input="Hi",
                                tools=[{"type": "file_search", "vector_store_ids": ["vs_missing"]}])


def test_the_committed_pdf_is_what_the_script_makes_and_reads_back():
    chapter = pdf.CHAPTER.read_text(encoding="utf-8")
    made = pdf.pdf_bytes(chapter)
    assert PDF.read_bytes() == made, "run `python -m helpers.authoring.pdf` to rebuild the committed PDF"
    assert made.startswith(b"%PDF-1.4") and made.rstrip().endswith(b"%%EOF")
    assert pdf.page_count(made) == 1
    assert " ".join(pdf.text_of(made).split()) == " ".join(chapter.replace("# ", "").split())
    longer = pdf.pdf_bytes(chapter + ("\n\nMore text (with brackets) and a \\ backslash." * 60))
    assert pdf.page_count(longer) > 1 and "(with brackets) and a \\ backslash" in pdf.text_of(longer)


def test_a_pdf_counts_its_text_and_a_picture_of_each_page_by_id_or_inline(client):
    client, _ = client
    data = PDF.read_bytes()
    with PDF.open("rb") as f:
        uploaded = client.files.create(file=f, purpose="user_data")
    question = {"type": "input_text", "text": "Summarise."}
    by_id = client.responses.create(model=models.CHAT, input=[{"role": "user", "content": [
        {"type": "input_file", "file_id": uploaded.id}, question]}])
    inline = client.responses.create(model=models.CHAT, input=[{"role": "user", "content": [
        {"type": "input_file", "filename": PDF.name,
         "file_data": "data:application/pdf;base64," + base64.b64encode(data).decode()}, question]}])
    plain = client.responses.create(model=models.CHAT, input=[{"role": "user", "content": [question]}])
    # each page's image is billed as an image of a rendered page is, by the model's image rule (helpers.vision)
    page = vision.image_tokens(768, 1024, "auto", models.CHAT)
    assert page == math.ceil(24 * 32 * 1.2), "GPT-6: 32-pixel patches x 1.2 (helpers.models.VISION_FACTS)"
    added = count_text(pdf.text_of(data), models.CHAT) + pdf.page_count(data) * page
    assert by_id.usage.input_tokens == inline.usage.input_tokens == plain.usage.input_tokens + added


def batch_lines(questions, url="/v1/responses") -> bytes:
    return "".join(json.dumps({"custom_id": f"q{n}", "method": "POST", "url": url,
                               "body": {"model": models.CHAT, "input": q}}) + "\n"
                   for n, q in enumerate(questions)).encode()


def test_a_batch_goes_validating_in_progress_completed_and_its_output_matches(client):
    client, _ = client
    upload = client.files.create(file=("in.jsonl", batch_lines(["Hi", "Bye", "Why?"])), purpose="batch")
    batch = client.batches.create(input_file_id=upload.id, endpoint="/v1/responses", completion_window="24h")
    states = [batch.status] + [client.batches.retrieve(batch.id).status for _ in range(3)]
    assert states == ["validating", "in_progress", "completed", "completed"]
    batch = client.batches.retrieve(batch.id)
    assert batch.request_counts.total == batch.request_counts.completed == 3 and batch.error_file_id is None
    assert batch.created_at < batch.in_progress_at < batch.completed_at < batch.expires_at
    rows = [json.loads(line) for line in client.files.content(batch.output_file_id).text.splitlines()]
    assert [row["custom_id"] for row in rows] == ["q0", "q1", "q2"]
    bodies = [openai.types.responses.Response.model_validate(row["response"]["body"]) for row in rows]
    assert all(row["response"]["status_code"] == 200 for row in rows)
    assert batch.usage.input_tokens == sum(b.usage.input_tokens for b in bodies)
    assert batch.usage.output_tokens == sum(b.usage.output_tokens for b in bodies)
    assert client.files.retrieve(batch.output_file_id).purpose == "batch_output"


def test_a_batch_whose_lines_do_not_fit_fails_validation(client):
    client, _ = client
    upload = client.files.create(file=("in.jsonl", batch_lines(["Hi"], url="/v1/chat/completions")),
                                 purpose="batch")
    batch = client.batches.create(input_file_id=upload.id, endpoint="/v1/responses", completion_window="24h")
    batch = client.batches.retrieve(batch.id)
    assert batch.status == "failed" and batch.errors.data[0].line == 1
    assert batch.errors.data[0].code == "mismatched_endpoint"
    wrong = client.files.create(file=("in.jsonl", batch_lines(["Hi"])), purpose="assistants")
    with pytest.raises(openai.BadRequestError, match="purpose 'batch'"):
        client.batches.create(input_file_id=wrong.id, endpoint="/v1/responses", completion_window="24h")


def test_a_polled_batch_replays_its_states_in_turn_then_stays_done(recordings_dir, own_standin, monkeypatch):
    monkeypatch.setenv("KIT_MODE", "record")
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", own_standin.url)
    modes.setup("polls")
    client = OpenAI()
    upload = client.files.create(file=("in.jsonl", batch_lines(["Hi"])), purpose="batch")
    batch_id = client.batches.create(input_file_id=upload.id, endpoint="/v1/responses", completion_window="24h").id
    recorded = [client.batches.retrieve(batch_id).status for _ in range(2)]
    modes.teardown()
    assert recorded == ["in_progress", "completed"], "while recording, a poll past the recorded states is sent"

    monkeypatch.setenv("KIT_MODE", "offline")
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.delenv("OPENAI_BASE_URL")
    modes.setup("polls")
    sent = len(own_standin.requests)
    client = OpenAI()
    replayed = [client.batches.retrieve(batch_id).status for _ in range(4)]
    modes.teardown()
    assert replayed == ["in_progress", "completed", "completed", "completed"]
    assert len(own_standin.requests) == sent


def test_the_batch_discount_and_the_file_search_prices():
    assert prices.batch_cost(models.CHAT, 1000, 500) == pytest.approx(prices.cost(models.CHAT, 1000, 500) / 2)
    assert prices.file_search_cost(1000) == pytest.approx(prices.FILE_SEARCH_PER_1000_CALLS)
    assert prices.vector_storage_cost(prices.GB // 2, days=30) == 0
    assert prices.vector_storage_cost(3 * prices.GB, days=2) == pytest.approx(2 * 2 * prices.VECTOR_STORAGE_PER_GB_DAY)


def test_the_meter_does_not_bill_a_batch_each_time_it_is_read():
    body = {"object": "batch", "id": "batch_1", "model": models.CHAT, "status": "completed",
            "usage": {"input_tokens": 1000, "output_tokens": 1000}}
    call = meter.call_from(traffic.Exchange("GET", "/v1/batches/batch_1", None, status=200, body=body))
    assert call.input_tokens == call.output_tokens == 0 and call.cost == 0


def test_a_lessons_live_cost_counts_file_search_calls_and_each_batch_once():
    figures.recorded_use.cache_clear()
    recording = json.loads((paths.RECORDINGS / "15_batch.json").read_text(encoding="utf-8"))
    done = [i["response"]["body"]["json"] for i in recording["interactions"]
            if (i["response"].get("body") or {}).get("json", {}).get("status") == "completed"
            and i["response"]["body"]["json"].get("object") == "batch"]
    usage = done[0]["usage"]
    assert figures.recorded_use("15_batch").cost == pytest.approx(
        prices.batch_cost(models.CHAT, usage["input_tokens"], usage["output_tokens"]))
    searched = json.loads((paths.RECORDINGS / "14_file_search.json").read_text(encoding="utf-8"))
    calls = sum(item.get("type") == "file_search_call" for i in searched["interactions"]
                for item in ((i["response"].get("body") or {}).get("json") or {}).get("output") or [])
    assert calls == 2
    assert figures.recorded_use("14_file_search").cost > prices.file_search_cost(calls)


def test_a_streamed_file_search_announces_its_stages_and_fits_the_spec(client):
    from tests.openapi.check import Report, check_interaction

    client, server = client
    store, _ = guide_store(client)
    with client.responses.stream(model=models.CHAT, input="Where is swimming allowed?",
                                 tools=[{"type": "file_search", "vector_store_ids": [store.id]}]) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    searching = [k for k in kinds if k.startswith("response.file_search_call.")]
    assert searching == [f"response.file_search_call.{s}" for s in ("in_progress", "searching", "completed")]
    assert [item.type for item in final.output] == ["reasoning", "file_search_call", "message"]
    assert final.output[-1].content[0].annotations[0].filename == "05_safety.md"
    sent = server.requests[-1]
    answer = server.respond("POST", "/v1/responses", {"content-type": "application/json"}, sent.body, trusted=True)
    report = Report()
    check_interaction(report, "stream", {
        "request": {"method": "POST", "path": "/v1/responses", "body": json.loads(sent.body)},
        "response": {"status": {"code": 200}, "headers": {"content-type": answer.content_type},
                     "body": {"text": b"".join(answer.body).decode()}}})
    assert not report.failures and report.counts["stream events"] > 10


def test_a_reasoning_model_takes_file_search_only_with_tool_choice_auto(client):
    client, _ = client
    store, _ = guide_store(client)
    tools = [{"type": "file_search", "vector_store_ids": [store.id]}]
    with pytest.raises(openai.BadRequestError, match="Tool choices other than 'auto' are not supported") as caught:
        client.responses.create(model=models.CHAT, input="Hi", tools=tools, tool_choice="required")
    assert caught.value.body["param"] == "tool_choice"
    assert client.responses.create(model=models.CHAT, input="Hi", tools=tools, tool_choice="auto").status == "completed"


def test_a_batch_line_the_api_would_refuse_goes_to_the_error_file_with_the_apis_words(client):
    """Each line is answered as the same request sent alone (helpers.models.BATCH): a temperature at the
    default effort is refused, and the batch goes on."""
    from helpers.refusals import refusal

    client, _ = client
    lines = [{"custom_id": "ok", "method": "POST", "url": "/v1/responses",
              "body": {"model": models.CHAT, "input": "Hi"}},
             {"custom_id": "hot", "method": "POST", "url": "/v1/responses",
              "body": {"model": models.CHAT, "input": "Hi", "temperature": 0.2}}]
    upload = client.files.create(file=("in.jsonl", "".join(json.dumps(line) + "\n" for line in lines).encode()),
                                 purpose="batch")
    batch = client.batches.create(input_file_id=upload.id, endpoint="/v1/responses", completion_window="24h")
    for _ in range(2):
        batch = client.batches.retrieve(batch.id)
    assert (batch.status, batch.request_counts.completed, batch.request_counts.failed) == ("completed", 1, 1)
    [failed] = [json.loads(line) for line in client.files.content(batch.error_file_id).text.splitlines()]
    expected = refusal("/v1/responses", lines[1]["body"])
    assert failed["custom_id"] == "hot" and failed["response"]["status_code"] == expected.status
    assert failed["response"]["body"] == expected.body()


def test_a_vector_store_carries_every_field_a_captured_one_does(client):
    """OpenGPTs-platform/assistants-api#27 quotes OpenAI's answer to vector_stores.create: id, created_at,
    file_counts, last_active_at, metadata, name, object, status, usage_bytes, expires_after (null) and
    expires_at (null)."""
    client, _ = client
    raw = client.vector_stores.with_raw_response.create(name="guide")
    body = json.loads(raw.text)
    assert set(body) >= {"id", "created_at", "file_counts", "last_active_at", "metadata", "name", "object",
                         "status", "usage_bytes", "expires_after", "expires_at"}
    assert (body["expires_after"], body["expires_at"]) == (None, None)
