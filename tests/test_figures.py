"""Prices, costs and token counts in lesson text come from the kit's code, and no dollar sign is typeset as math."""
from __future__ import annotations

import re

import nbformat
import pytest

from helpers import meter, prices, tokens
from helpers.authoring import figures, navigation

LESSONS = navigation.lessons()
# An amount of money in prose: a dollar sign (escaped or not) and a digit.
AMOUNT = re.compile(r"\\*\$\s?\d")


def prose(path):
    return [(index, cell.source) for index, cell in enumerate(nbformat.read(path, as_version=4).cells)
            if cell.cell_type == "markdown"]


def test_every_figure_in_lesson_text_is_up_to_date():
    assert figures.update(check_only=True) == [], "run `python -m helpers.authoring.build`"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_no_dollar_sign_in_lesson_prose_can_be_typeset_as_math(path):
    found = {index: typed for index, text in prose(path) if (typed := figures.hand_typed_dollars(text))}
    assert found == {}, f"{path.name}: write a dollar sign as {figures.DOLLAR} (cell: text around it)"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_no_amount_of_money_in_lesson_prose_is_typed_by_hand(path):
    typed = {}
    for index, text in prose(path):
        bare = figures.CODE.sub("", figures.FIGURE.sub("", text))
        if AMOUNT.search(bare):
            typed[index] = [bare[max(0, m.start() - 30):m.end() + 20] for m in AMOUNT.finditer(bare)]
    assert typed == {}, f"{path.name}: mark each amount as a figure (helpers/authoring/figures.py)"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_no_shutdown_date_in_lesson_prose_is_typed_by_hand(path):
    """A model's shutdown date is a fact of the SDK's notes or the catalogue: prose states it as a figure."""
    from helpers import lifecycle, models

    days = {d.isoformat() for d in [*lifecycle.shutdown_dates().values(), *models.shutdown_notices().values()]}
    typed = {}
    for index, text in prose(path):
        bare = figures.CODE.sub("", figures.FIGURE.sub("", text))
        if found := [day for day in days if day in bare]:
            typed[index] = found
    assert typed == {}, f"{path.name}: mark each shutdown date as <!-- figure shutdown:MODEL -->"


def test_a_shutdown_figure_reads_the_sdk_or_the_catalogue():
    assert figures.figure("shutdown:gpt-3.5-turbo-instruct", "any") == "2026-09-28"  # a public notice
    from helpers import lifecycle

    assert figures.figure("shutdown:whisper-1", "any") == lifecycle.shutdown_date("whisper-1").isoformat()
    with pytest.raises(ValueError, match="no shutdown date"):
        figures.figure("shutdown:gpt-6-luna", "any")


def test_every_lesson_states_what_a_live_run_costs_from_its_recording():
    for path in LESSONS:
        header = prose(path)[1][1]
        if "costs** nothing" in header:  # a free endpoint: no amount to state
            continue
        assert "<!-- figure live-cost -->" in header, f"{path.name}: the live-run cost is typed by hand"


def test_a_figure_goes_stale_when_the_price_it_states_changes(monkeypatch):
    listed = prices.price
    luna = listed("gpt-6-luna")
    dearer = prices.Price(luna.model, luna.input_per_million * 2, luna.output_per_million)
    monkeypatch.setattr(prices, "price", lambda model: dearer if model == "gpt-6-luna" else listed(model))
    assert "notebooks/05_tokens_and_cost.ipynb" in figures.update(check_only=True)


def test_figures_read_the_kit():
    luna = prices.price("gpt-6-luna")
    assert figures.figure("price-in:gpt-6-luna", "05_tokens_and_cost") == \
        figures.DOLLAR + f"{luna.input_per_million:.2f}"
    assert figures.figure("kit:tokens.TOKENS_PER_MESSAGE", "") == str(tokens.TOKENS_PER_MESSAGE)
    assert figures.figure("kit:meter.DEFAULT_OUTPUT_ESTIMATE", "") == f"{meter.DEFAULT_OUTPUT_ESTIMATE:,}"
    assert figures.figure("price-other:gpt-transcribe", "").startswith(figures.DOLLAR)


def test_a_lessons_live_cost_is_what_the_meter_bills_for_its_recorded_answers():
    use = figures.recorded_use("01_chat_completions")
    assert use.requests == 4 and use.input_tokens and use.output_tokens
    assert use.cost == pytest.approx(prices.cost("gpt-6-luna", use.input_tokens, use.output_tokens))


def test_a_lessons_live_cost_counts_each_web_search_at_its_price():
    from helpers import recordings

    data = recordings.read_file(recordings.recording_path("10e_responses_web_search"))
    searches = sum(item["type"] == "web_search_call" for i in data["interactions"]
                   for item in i["response"]["body"]["json"]["output"])
    use = figures.recorded_use("10e_responses_web_search")
    tokens = prices.cost("gpt-6-luna", use.input_tokens, use.output_tokens)
    assert searches == 2
    assert use.cost == pytest.approx(tokens + searches * prices.web_search_price("gpt-6-luna") / 1000)


def test_an_unknown_figure_says_so():
    with pytest.raises(ValueError, match="unknown figure 'cost-in-euros'"):
        figures.figure("cost-in-euros", "01_chat_completions")


@pytest.mark.parametrize(("text", "flagged"), [
    ("costs $0.10 per million", 1),
    ("costs \\$0.10 and \\$0.20", 2),  # one backslash: JupyterLab still typesets the pair
    ("costs \\\\$0.10 and \\\\$0.20", 0),
    ("set it with `$env:OPENAI_API_KEY`", 0),
    ("```bash\nexport A=$HOME\n```", 0),
])
def test_hand_typed_dollars_finds_what_jupyterlab_would_typeset(text, flagged):
    assert len(figures.hand_typed_dollars(text)) == flagged


def test_a_figure_that_starts_a_line_is_refused():
    # CommonMark takes a line that starts with a comment for raw HTML, where the escaped dollar stays "\\$".
    with pytest.raises(ValueError, match="a figure starts a line"):
        figures.fill("costs about\n<!-- figure live-cost --><!-- /figure -->", "01_chat_completions")
