"""What lesson 04d's text says its offline answers show, checked on those answers (its recording)."""
from __future__ import annotations

import ast
import base64
import re

import nbformat
import numpy as np
import pytest

from helpers import modes, paths, recordings
from helpers.authoring.standin import minilm

LESSON = "04d_embeddings"
NOTEBOOK = nbformat.read(paths.NOTEBOOKS / f"{LESSON}.ipynb", as_version=4)
PROSE = "\n".join(cell.source for cell in NOTEBOOK.cells if cell.cell_type == "markdown")
INTERACTIONS = recordings.read_file(recordings.recording_path(LESSON))["interactions"]


def _topics() -> dict[str, list[str]]:
    [cell] = [c for c in NOTEBOOK.cells if c.cell_type == "code" and c.source.startswith("topics = {")]
    assignment = ast.parse(cell.source).body[0]
    assert isinstance(assignment, ast.Assign)
    return ast.literal_eval(assignment.value)


TOPICS = _topics()
TEXTS = [text for group in TOPICS.values() for text in group]
TOPIC_OF = {text: topic for topic, group in TOPICS.items() for text in group}


def _vectors(text_input, **fields) -> np.ndarray:
    """The recorded answer to the embeddings request with this input."""
    [interaction] = [i for i in INTERACTIONS if i["request"]["body"]["input"] == text_input
                     and all(i["request"]["body"].get(k) == v for k, v in fields.items())
                     and ("dimensions" in fields) == ("dimensions" in i["request"]["body"])]
    body = interaction["response"]["body"]["json"]  # base64, as the SDK asks for it and decodes it
    return np.array([np.frombuffer(base64.b64decode(item["embedding"]), "<f4") for item in body["data"]])


VECTORS = _vectors(TEXTS)


def _ranking(question: str) -> list[str]:
    scores = VECTORS @ _vectors(question)[0]
    return [TEXTS[i] for i in np.argsort(-scores)]


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def test_texts_on_the_same_topic_light_up_together():
    """The heatmap's title: each text's two most similar texts are on its own topic."""
    assert "Texts on the same topic light up together" in "\n".join(c.source for c in NOTEBOOK.cells)
    similarity = VECTORS @ VECTORS.T
    for row, text in enumerate(TEXTS):
        nearest = [TEXTS[i] for i in np.argsort(-similarity[row]) if i != row][:2]
        assert {TOPIC_OF[t] for t in nearest} == {TOPIC_OF[text]}, (text, nearest)


def test_the_food_text_answers_what_to_feed_a_dog_though_it_shares_fewer_words():
    question, food, training = ("What should I feed my dog?", "What food is best for a young dog or cat?",
                                "How do I train my dog to sit?")
    assert "The text about food comes first" in PROSE and "The three texts about pets lead the list" in PROSE
    ranking = _ranking(question)
    assert ranking[0] == food
    assert set(ranking[:3]) == set(TOPICS["pets"])
    # The words the text names as shared, and fewer than the training text shares.
    assert _words(question) & _words(food) == {"what", "dog"}
    assert _words(question) & _words(training) == {"i", "my", "dog"}


def test_the_code_question_finds_the_text_about_functions():
    assert _ranking("How do I write a Python function?")[0] == "A Python function returns a value with return."


def test_shorter_vectors_are_the_first_numbers_scaled_back_to_length_one():
    short = _vectors(TEXTS, dimensions=256)
    prefix = VECTORS[:, :256] / np.linalg.norm(VECTORS[:, :256], axis=1, keepdims=True)
    assert short.shape == (len(TEXTS), 256) and np.abs(short - prefix).max() < 1e-6
    change = np.abs(short @ short.T - VECTORS @ VECTORS.T).max()
    assert 0 < change < 0.15  # "a small loss of quality"


def test_the_offline_similarities_are_all_minilm_l6_v2s_exactly():
    model = np.array([minilm.embed(text) for text in TEXTS])
    assert np.abs(VECTORS @ VECTORS.T - model @ model.T).max() < 1e-5
    assert VECTORS.shape[1] == 1536 and "spreads them over 1536 numbers" in PROSE


@pytest.mark.usefixtures("clean_mode")
def test_the_recording_and_the_banner_name_the_model_that_made_the_vectors():
    assert all(i["response"]["headers"][recordings.EMBEDDINGS_HEADER] == minilm.MODEL_NAME for i in INTERACTIONS)
    banner = modes.make_banner("offline", LESSON)
    assert f"made by {minilm.MODEL_NAME}, not by the model the request names" in banner
