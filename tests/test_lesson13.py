"""Lesson 13 (retrieval): what its text says of its offline answers holds, and its checks refuse wrong work."""
from __future__ import annotations

import base64
import re
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest

from helpers import paths, recordings
from helpers.exercises import lesson13

LESSON = "13_retrieval"
NOTEBOOK = nbformat.read(paths.NOTEBOOKS / f"{LESSON}.ipynb", as_version=4)
INTERACTIONS = recordings.read_file(recordings.recording_path(LESSON))["interactions"]
CITATION = re.compile(r"\[([\w.-]+\.md)\]")


def _lesson_chunks(monkeypatch) -> list[dict]:
    """The chunks the lesson's own code cuts from data/documents (its cells run from notebooks/)."""
    monkeypatch.chdir(paths.NOTEBOOKS)
    code = [c.source for c in NOTEBOOK.cells if c.cell_type == "code"]
    namespace: dict = {}
    for source in code:
        if source.startswith(("from pathlib import Path", "import re\n")):
            exec(source, namespace)  # noqa: S102 - the lesson's own cells
    return namespace["chunks"]


def _vectors(text_input) -> np.ndarray:
    [body] = [i["response"]["body"]["json"] for i in INTERACTIONS
              if i["request"]["path"] == "/v1/embeddings" and i["request"]["body"]["input"] == text_input]
    return np.array([np.frombuffer(base64.b64decode(item["embedding"]), "<f4") for item in body["data"]])


@pytest.fixture(scope="module")
def chunks_and_vectors():
    with pytest.MonkeyPatch.context() as monkeypatch:
        chunks = _lesson_chunks(monkeypatch)
    return chunks, _vectors([f"{c['title']}: {c['text']}" for c in chunks])


def _search(chunks_and_vectors, question: str) -> list[tuple[float, dict]]:
    chunks, vectors = chunks_and_vectors
    scores = vectors @ _vectors(question)[0]
    return [(float(scores[i]), chunks[i]) for i in np.argsort(-scores)]


def test_chunks_are_whole_sentences_of_at_most_sixty_words_from_every_chapter(chunks_and_vectors):
    chunks, vectors = chunks_and_vectors
    assert len(vectors) == len(chunks) and {c["source"] for c in chunks} == {
        p.name for p in (paths.DATA / "documents").glob("0*.md")}
    assert all(len(c["text"].split()) <= 60 and c["text"].endswith(".") for c in chunks)


def test_the_dog_question_finds_the_passage_about_dogs_in_other_words(chunks_and_vectors):
    best = _search(chunks_and_vectors, "Can I bring my dog on the Ridge Trail in April?")[0][1]
    assert best["source"] == "02_trails.md" and "Dogs are welcome" in best["text"]


def test_the_bread_question_finds_the_rule_on_feeding(chunks_and_vectors):
    best = _search(chunks_and_vectors, "Is it OK to give bread to the ducks?")[0][1]
    assert best["source"] == "04_wildlife.md" and "Feeding any animal" in best["text"]


def test_the_last_bus_is_in_the_chapter_on_getting_there(chunks_and_vectors):
    assert _search(chunks_and_vectors, "When does the last bus back to Holloway leave?")[0][1]["source"] \
        == "01_getting_there.md"


def test_a_score_cannot_tell_an_answer_from_a_near_miss(chunks_and_vectors):
    drone = _search(chunks_and_vectors, "Can I fly a drone over the lake?")
    swim = _search(chunks_and_vectors, "Where can I swim?")
    assert not any("drone" in chunk["text"].lower() for _, chunk in drone)
    assert "Swimming is allowed" in swim[0][1]["text"]
    assert swim[0][0] <= drone[0][0]


def _answers() -> list[tuple[str, str]]:
    """Each recorded chat request's passages (its user message) and the recorded reply."""
    pairs = []
    for interaction in INTERACTIONS:
        if interaction["request"]["path"] == "/v1/chat/completions":
            user = interaction["request"]["body"]["messages"][-1]["content"]
            reply = interaction["response"]["body"]["json"]["choices"][0]["message"]["content"]
            pairs.append((user, reply))
    return pairs


def test_every_recorded_answer_cites_only_the_passages_it_was_given():
    answers = _answers()
    assert len(answers) == 3
    for user, reply in answers:
        given = set(re.findall(r"^\[([\w.-]+\.md)\] ", user, re.M))
        cited = set(CITATION.findall(reply))
        assert cited and cited <= given, (reply, given)


def test_the_drone_answer_says_the_guide_does_not_say():
    [reply] = [reply for user, reply in _answers() if "drone" in user]
    assert reply.startswith("The guide does not say")


# --- the checks refuse wrong work ---------------------------------------------------------------

def _passes(check, *args) -> bool:
    return bool(check(*args))


def test_top_k_refuses_scores_worst_first_and_the_wrong_count(capsys):
    assert _passes(lesson13.check_top_k, lambda s, k: [int(i) for i in np.argsort(-np.asarray(s))[:k]])
    assert not _passes(lesson13.check_top_k, lambda s, k: sorted(s, reverse=True)[:k])
    assert not _passes(lesson13.check_top_k, lambda s, k: [int(i) for i in np.argsort(np.asarray(s))[-k:]])
    assert not _passes(lesson13.check_top_k, lambda s, k: [int(i) for i in np.argsort(-np.asarray(s))[:2]])
    assert "best first" in capsys.readouterr().out.split("❌")[2]


def test_best_source_wants_the_best_chunks_file():
    chunks = [{"source": "a.md"}, {"source": "b.md"}]
    vectors = np.array([[1.0, 0.0], [0.0, 1.0]])
    question = SimpleNamespace(data=[SimpleNamespace(embedding=[0.2, 0.9])])
    assert _passes(lesson13.check_best_source, chunks, vectors, question, "b.md")
    assert not _passes(lesson13.check_best_source, chunks, vectors, question, "a.md")
    assert not _passes(lesson13.check_best_source, chunks, vectors, question, 1)


@pytest.mark.parametrize("wrong", [
    lambda reply, hits: True,
    lambda reply, hits: bool(CITATION.findall(reply)),  # cites something, of whatever file
    lambda reply, hits: set(CITATION.findall(reply)) <= {h["source"] for h in hits},  # citing nothing passes
    lambda reply, hits: any(c in {h["source"] for h in hits} for c in CITATION.findall(reply)),  # one is enough
])
def test_cites_only_given_refuses_each_half_right_check(wrong):
    assert not _passes(lesson13.check_cites_only_given, wrong)
    assert _passes(lesson13.check_cites_only_given, lambda reply, hits: bool(CITATION.findall(reply)) and set(
        CITATION.findall(reply)) <= {h["source"] for h in hits})


def test_the_lesson_ends_pointing_to_file_search():
    last = [c.source for c in NOTEBOOK.cells if c.cell_type == "markdown" and c.source.startswith("## Next")]
    assert last and "(14_file_search.ipynb)" in last[0] and "file_search" in last[0]
