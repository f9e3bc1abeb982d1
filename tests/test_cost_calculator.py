"""The cost calculator widget, driven headlessly: its logic (estimate) and its buttons."""
import pytest

from helpers import prices
from helpers.widgets.cost_calculator import CostCalculator, Refused, estimate


def test_the_default_workload_is_priced_per_million_tokens():
    calculator = CostCalculator(input_tokens=500, output_tokens=200, requests=10_000)
    assert calculator.status == "priced"
    assert calculator.last.per_request == pytest.approx((500 * 0.10 + 200 * 0.50) / 1_000_000)
    assert calculator.last.total == pytest.approx(1.50)
    assert calculator.message == ("gpt-6-luna: 500 tokens in × $0.1/M + 200 out × $0.5/M = $0.000150 per request; "
                                  "× 10,000 requests = $1.50")


def test_changing_the_model_and_clicking_calculate():
    calculator = CostCalculator()
    calculator.model.value = "gpt-5.4-mini"
    calculator.input_tokens.value = "1,200"
    calculator.output_tokens.value = "300"
    calculator.requests.value = "1000"
    calculator.calculate_button.click()
    assert calculator.last.total == pytest.approx(1_000 * prices.cost("gpt-5.4-mini", 1_200, 300))
    assert "$2.25" in calculator.result.value


def test_a_prompt_is_counted_as_a_one_message_chat_request():
    calculator = CostCalculator()
    calculator.prompt.value = "What is the capital of Italy?"
    calculator.count_button.click()
    # 7 for the text, 1 for the role, 3 + 2 for the chat format (gpt-6-luna reasons: its reply primer is 2)
    assert calculator.model.value == "gpt-6-luna" and calculator.input_tokens.value == "13"
    assert calculator.last.input_tokens == 13


def test_an_empty_prompt_is_refused():
    calculator = CostCalculator()
    calculator.count_button.click()
    assert calculator.status == "refused" and "The prompt is empty" in calculator.message
    assert calculator.input_tokens.value == "500"


@pytest.mark.parametrize("field, value, message", [
    ("input_tokens", "-5", "Tokens in must be a whole number from 0 to 10,000,000; got '-5'"),
    ("input_tokens", "lots", "Tokens in must be a whole number"),
    ("output_tokens", "2.5", "Tokens out must be a whole number"),
    ("output_tokens", "20000000", "Tokens out must be at most 10,000,000"),
    ("requests", "0", "Requests must be at least 1"),
    ("requests", "", "Requests must be a whole number"),
])
def test_invalid_values_are_refused_with_a_message(field, value, message):
    calculator = CostCalculator()
    getattr(calculator, field).value = value
    calculator.calculate_button.click()
    assert calculator.status == "refused" and calculator.last is None
    assert message in calculator.message and "⚠️" in calculator.result.value


def test_only_known_models_are_priced():
    with pytest.raises(Refused, match="Choose one of gpt-6-luna"):
        estimate("gpt-4", 10, 10)
    with pytest.raises(Refused, match="whole number"):
        estimate("gpt-6-luna", True, 10)


def test_the_view_names_the_price_source():
    calculator = CostCalculator()
    assert "application/vnd.jupyter.widget-view+json" in calculator._repr_mimebundle_()
    assert prices.prices_source() in calculator.view.children[-1].value


def test_the_result_follows_every_change_without_a_click():
    calculator = CostCalculator(input_tokens=500, output_tokens=200)
    calculator.model.value = "gpt-5.4-mini"
    assert calculator.last.model == "gpt-5.4-mini" and "gpt-5.4-mini" in calculator.result.value
    assert calculator.last.per_request == pytest.approx(prices.cost("gpt-5.4-mini", 500, 200))
    for field, value in (("input_tokens", "1000"), ("output_tokens", "0"), ("requests", "3")):
        getattr(calculator, field).value = value
    assert calculator.last.total == pytest.approx(3 * prices.cost("gpt-5.4-mini", 1000, 0))
    calculator.output_tokens.value = "many"
    assert calculator.status == "refused" and calculator.last is None, "no stale figure beside a bad value"
