"""Lesson 04's assets: the bundled audio clip, its transcript, the recordings, and the exercise checks."""
import base64
import hashlib
import io
import json
import wave

import numpy as np
import openai
import pytest
from openai import OpenAI
from openai.types import Completion, CreateEmbeddingResponse, ImagesResponse, Model, ModerationCreateResponse
from openai.types.audio import Transcription, TranscriptionVerbose
from openai.types.chat import ChatCompletion

from helpers import modes, paths, recordings
from helpers.exercises import lesson04a, lesson04b, lesson04c, lesson04d, lesson04e
from tests.conftest import PLANTED_KEY

AUDIO = paths.DATA / "audio"
CLIP = AUDIO / "kit_hello.wav"
TRANSCRIPT = AUDIO / "kit_hello.txt"
LESSONS = ("04a_legacy_completions", "04b_images", "04c_audio", "04d_embeddings", "04e_moderation")
TYPES = {
    "/v1/completions": Completion,
    "/v1/chat/completions": ChatCompletion,
    "/v1/images/generations": ImagesResponse,
    "/v1/embeddings": CreateEmbeddingResponse,
    "/v1/moderations": ModerationCreateResponse,
}


# --- the clip and its transcript ------------------------------------------------------------------

def test_clip_is_a_small_playable_wav():
    assert CLIP.stat().st_size < 150_000
    assert CLIP.read_bytes()[:4] == b"RIFF" and CLIP.read_bytes()[8:12] == b"WAVE"
    with wave.open(str(CLIP)) as sound:
        assert (sound.getnchannels(), sound.getframerate(), sound.getsampwidth()) == (1, 16000, 2)
        seconds = sound.getnframes() / sound.getframerate()
        samples = np.frombuffer(sound.readframes(sound.getnframes()), dtype="<i2")
    assert 2 <= seconds <= 8
    assert np.abs(samples).max() > 3000, "the clip should not be silent"


def test_audio_readme_documents_the_clip():
    readme = (AUDIO / "README.md").read_text()
    assert "espeak-ng" in readme and "sox" in readme and "Licence" in readme
    assert hashlib.sha256(CLIP.read_bytes()).hexdigest() in readme
    assert TRANSCRIPT.read_text() in readme  # the spoken sentence is the one in the command


def _script_reply(file_name: str) -> str:
    rules = json.loads((paths.STANDIN_SCRIPTS / "04c_audio.json").read_text())["rules"]
    [rule] = [r for r in rules if r["match"].get("contains") == file_name]
    return rule["reply"]


def test_transcript_is_what_the_stand_in_script_answers():
    assert TRANSCRIPT.read_text() == _script_reply(CLIP.name)
    assert not TRANSCRIPT.read_text().endswith("\n")


def test_stand_in_transcribes_the_clip_to_its_transcript(standin):
    client = OpenAI(api_key=PLANTED_KEY, base_url=standin.url, max_retries=0)
    with CLIP.open("rb") as audio_file:
        verbose = client.audio.transcriptions.create(model="gpt-transcribe", file=audio_file,
                                                     response_format="verbose_json")
    assert verbose.text == TRANSCRIPT.read_text()
    assert " ".join(s.text.strip() for s in verbose.segments) == verbose.text
    assert verbose.duration == pytest.approx(CLIP.stat().st_size / 32000, abs=0.01)


# --- the recordings -------------------------------------------------------------------------------

def _interactions(lesson):
    path = paths.RECORDINGS / f"{lesson}.json"
    return path, recordings.read_file(path)["interactions"]


def _status(response) -> int:
    status = response["status"]
    return status["code"] if isinstance(status, dict) else status


def _response_body(path, response):
    body = response["body"]
    if "blob" in body:
        return (path.parent / body["blob"]).read_bytes()
    body = body.get("json", body.get("text"))
    if isinstance(body, dict) and body.get("object") == "list" and body.get("data") and "embedding" in body["data"][0]:
        # The SDK asks for base64 on the wire and decodes it to floats, as done here.
        for item in body["data"]:
            if isinstance(item["embedding"], str):
                item["embedding"] = np.frombuffer(base64.b64decode(item["embedding"]), dtype="<f4").tolist()
    return body


@pytest.mark.parametrize("lesson", LESSONS)
def test_recordings_parse_into_the_sdk_types(lesson):
    path, interactions = _interactions(lesson)
    assert interactions
    for interaction in interactions:
        request, response = interaction["request"], interaction["response"]
        body = _response_body(path, response)
        where = f"{lesson}: {request['method']} {request['path']}"
        if _status(response) >= 400:
            assert set(body["error"]) >= {"message", "type", "param", "code"}, where
        elif request["path"] in TYPES:
            TYPES[request["path"]].model_validate(body)
        elif request["path"] == "/v1/models":
            assert body["object"] == "list" and [Model.model_validate(m) for m in body["data"]], where
        elif request["path"].startswith("/v1/models/"):
            assert Model.model_validate(body).id == request["path"].rsplit("/", 1)[1], where
        elif request["path"] == "/v1/audio/transcriptions":
            verbose = request["multipart"].get("response_format") == "verbose_json"
            parsed = (TranscriptionVerbose if verbose else Transcription).model_validate(body)
            assert parsed.text, where
        elif request["path"] == "/v1/audio/speech":
            assert isinstance(body, bytes) and len(body) == response["body"]["bytes"], where
            with wave.open(io.BytesIO(body)) as sound:
                assert sound.getnframes() > 0, where
        else:
            pytest.fail(f"{where}: no SDK type known for this path")


def test_image_recordings_hold_png_images():
    path, interactions = _interactions("04b_images")
    for interaction in interactions:
        if _status(interaction["response"]) == 200:
            for image in ImagesResponse.model_validate(_response_body(path, interaction["response"])).data:
                assert base64.b64decode(image.b64_json).startswith(lesson04b.PNG_SIGNATURE)


def test_audio_recording_matches_the_clip_by_content(capsys):
    """Offline, the clip replays; the same file name with other content is a miss."""
    modes.setup("04c_audio")
    client = OpenAI(max_retries=0)
    replayed = client.audio.transcriptions.create(model="gpt-transcribe", file=(CLIP.name, CLIP.read_bytes()))
    assert replayed.text == TRANSCRIPT.read_text()
    with pytest.raises(recordings.OfflineMiss):
        client.audio.transcriptions.create(model="gpt-transcribe", file=(CLIP.name, CLIP.read_bytes() + b"\0\0"))


# --- the exercise checks: blank answers get a hint, the folded solutions pass ----------------------

def _load(lesson, path_name, kind):
    path, interactions = _interactions(lesson)
    bodies = [_response_body(path, i["response"]) for i in interactions
              if i["request"]["path"] == path_name and _status(i["response"]) == 200]
    return [kind.model_validate(b) for b in bodies]


def test_lesson04a_checks(capsys, standin):
    path, interactions = _interactions("04a_legacy_completions")
    models = [Model.model_validate(m) for i in interactions if i["request"]["path"] == "/v1/models"
              for m in _response_body(path, i["response"])["data"]]
    legacy = [i for i in interactions if i["request"]["path"] == "/v1/completions"]
    assert [i["response"]["status"]["code"] for i in legacy] == [404] * 3, "the endpoint serves no model now"
    with pytest.raises(openai.NotFoundError) as gone:
        OpenAI(base_url=standin.url, api_key="sk-kit-test", max_retries=0).completions.create(
            model="gpt-3.5-turbo-instruct", prompt="The three primary colours of paint are", max_tokens=20)
    assert not lesson04a.check_error_code(gone.value, None)
    assert not lesson04a.check_error_code(gone.value, "404")
    assert lesson04a.check_error_code(gone.value, "model_not_found")
    prompt = "Name a fruit that is yellow."
    assert not lesson04a.check_ported_messages([], prompt)
    assert lesson04a.check_ported_messages([{"role": "user", "content": prompt}], prompt)
    assert not lesson04a.check_retiring_ids(models, [])
    retiring = sorted(m.id for m in models if m.shutdown_date)
    assert retiring and not lesson04a.check_retiring_ids(models, retiring[::-1] if len(retiring) > 1 else [])
    assert lesson04a.check_retiring_ids(models, retiring)


def test_lesson04b_checks(capsys):
    wide = _load("04b_images", "/v1/images/generations", ImagesResponse)[-1]
    assert not lesson04b.check_decoded(wide, None)
    assert lesson04b.check_decoded(wide, base64.b64decode(wide.data[0].b64_json))
    from helpers.prices import cost

    assert not lesson04b.check_image_cost(wide, 0.0)
    assert not lesson04b.check_image_cost(wide, cost("gpt-image-2", 0, wide.usage.output_tokens))
    assert lesson04b.check_image_cost(wide, cost("gpt-image-2", wide.usage.input_tokens, wide.usage.output_tokens))
    base = {"model": "gpt-image-2", "prompt": "A lighthouse"}
    assert not lesson04b.check_portrait_params(base)
    assert not lesson04b.check_portrait_params({**base, "size": "1536x1024", "quality": "high"})
    assert not lesson04b.check_portrait_params({**base, "size": "1000x1500", "quality": "high"})
    assert lesson04b.check_portrait_params({**base, "size": "1024x1536", "quality": "high"})
    assert "taller" in capsys.readouterr().out


def test_lesson04c_checks(capsys):
    path, interactions = _interactions("04c_audio")
    verbose = next(TranscriptionVerbose.model_validate(_response_body(path, i["response"])) for i in interactions
                   if i["request"].get("multipart", {}).get("response_format") == "verbose_json")
    speech = next(_response_body(path, i["response"]) for i in interactions
                  if i["request"]["path"] == "/v1/audio/speech")
    assert not lesson04c.check_language_and_duration(verbose, None, None)
    assert lesson04c.check_language_and_duration(verbose, verbose.language, verbose.duration)
    assert not lesson04c.check_cues(verbose, [])
    assert not lesson04c.check_cues(verbose, [(s.start, s.end, s.text) for s in verbose.segments])
    assert lesson04c.check_cues(verbose, [(s.start, s.end, s.text.strip()) for s in verbose.segments])
    with wave.open(io.BytesIO(speech)) as sound:
        frames, rate = sound.getnframes(), sound.getframerate()
    assert not lesson04c.check_speech_seconds(speech, 0.0)
    assert not lesson04c.check_speech_seconds(speech, frames)
    assert lesson04c.check_speech_seconds(speech, frames / rate)


def test_lesson04d_checks(capsys):
    first, query, short, code_question = _load("04d_embeddings", "/v1/embeddings", CreateEmbeddingResponse)
    vectors = np.array([item.embedding for item in first.data])
    texts = [f"text {n}" for n in range(len(vectors))]
    assert not lesson04d.check_cosine(lambda a, b: 0.0, vectors)
    assert not lesson04d.check_cosine(lambda a, b: a @ b, vectors)
    assert lesson04d.check_cosine(lambda a, b: a @ b / (np.linalg.norm(a) * np.linalg.norm(b)), vectors)
    similarity = vectors @ vectors.T
    assert not lesson04d.check_nearest(vectors, 4, None)
    assert not lesson04d.check_nearest(vectors, 4, 4)
    assert lesson04d.check_nearest(vectors, 4, int(np.argsort(-similarity[4])[1]))
    scores = vectors @ np.array(code_question.data[0].embedding)
    assert not lesson04d.check_best_text(vectors, texts, code_question, None)
    assert lesson04d.check_best_text(vectors, texts, code_question, texts[int(np.argmax(scores))])


def test_lesson04e_checks(capsys):
    results = [r.results[0] for r in _load("04e_moderation", "/v1/moderations", ModerationCreateResponse)]
    messages = [f"message {n}" for n in range(len(results))]
    flagged = [m for m, r in zip(messages, results, strict=True) if r.flagged]
    assert flagged, "the lesson needs at least one flagged message"
    assert not lesson04e.check_flagged(messages, results, [])
    assert not lesson04e.check_flagged(messages, results, flagged[::-1]) or len(flagged) == 1
    assert lesson04e.check_flagged(messages, results, flagged)
    assert not lesson04e.check_is_harassment(lambda r: False, results)
    assert not lesson04e.check_is_harassment(lambda r: r.category_scores.harassment >= 0.5, results)  # misses one
    assert not lesson04e.check_is_harassment(lambda r: max(r.category_scores.model_dump().values()) >= 0.2, results)
    assert lesson04e.check_is_harassment(
        lambda r: max(r.category_scores.harassment, r.category_scores.harassment_threatening) >= 0.4, results)


def test_04d_map_labels_neither_overlap_nor_leave_the_axes():
    """Runs lesson 04d up to its map, then measures every label's box as drawn."""
    import json

    import nbformat

    from helpers import paths
    from helpers.authoring import build

    nb = nbformat.read(paths.NOTEBOOKS / "04d_embeddings.ipynb", as_version=4)
    at = next(n for n, cell in enumerate(nb.cells) if "projected to 2-D" in cell.source and cell.cell_type == "code")
    measure = nbformat.v4.new_code_cell(
        "import json\n"
        "from matplotlib.backends.backend_agg import FigureCanvasAgg\n"
        "renderer = FigureCanvasAgg(fig).get_renderer()  # the inline backend closed the figure it showed\n"
        "frame = ax.get_window_extent(renderer)\n"
        "from matplotlib.text import Text\n"
        "boxes = [Text.get_window_extent(t, renderer) for t in ax.texts]  # the words, not the line to the point\n"
        "print(json.dumps({'labels': len(boxes),\n"
        "    'outside': [t.get_text() for t, b in zip(ax.texts, boxes) if b.x0 < frame.x0 or b.x1 > frame.x1\n"
        "                or b.y0 < frame.y0 or b.y1 > frame.y1],\n"
        "    'overlapping': [(a.get_text(), b.get_text()) for i, (a, ba) in enumerate(zip(ax.texts, boxes))\n"
        "                    for b, bb in list(zip(ax.texts, boxes))[i + 1:] if ba.overlaps(bb)]}))")
    nb.cells = [cell for cell in nb.cells[:at + 1] if cell.cell_type == "code"] + [measure]
    ran = build.run(nb)
    found = json.loads(ran.cells[-1].outputs[0]["text"])
    assert found["labels"] == 12
    assert found["outside"] == [] and found["overlapping"] == [], found
