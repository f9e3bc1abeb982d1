"""Every model the kit uses or mentions, and what the live API is known to do with it: one place.

Lessons spell model names out (that is what a learner's own code does); tests check that each name
a lesson uses is listed here. Each behavioural fact carries its source: the installed SDK's types
and notes, OpenAI's published spec, or a public issue, PR or write-up that quotes a real API
answer. `helpers.refusals` turns these facts into the API's answers to requests it refuses, and the
stand-in server and the tests both use it. docs/model-facts.md is generated from this module.

Prices are not kept here: they come from the genai-prices snapshot (helpers.prices).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

CHAT = "gpt-6-luna"  # the kit's main chat model: cheapest current one (simonw/llm#1702: half GPT-5.6 Luna's price)
CHAT_LARGER = "gpt-5.4-mini"
CHAT_BALANCED = "gpt-6-sol"  # the larger GPT-6 model, for price comparisons
EMBEDDING = "text-embedding-3-small"
MODERATION = "omni-moderation-latest"
TRANSCRIBE = "gpt-transcribe"
SPEECH = "gpt-4o-mini-tts"
IMAGE = "gpt-image-2"
INSTRUCT = "gpt-3.5-turbo-instruct"  # the last legacy-completions model, shut down 2026-09-28

# The settings that turn a reasoning model's reasoning off on Chat Completions, so that it takes
# sampling parameters and function tools (see SAMPLING_AT_NONE below).
NO_REASONING = "none"

# Names the old guides use that are shut down, with what replaces them. Lessons show them failing.
SHUT_DOWN = {
    "gpt-4": CHAT,
    "gpt-3.5-turbo": CHAT,
    "text-davinci-003": CHAT,
    INSTRUCT: CHAT,
    "dall-e-3": IMAGE,
    "dall-e-2": IMAGE,
}

# Names lessons use as prefixes of a family (`startswith(("gpt-5", "gpt-6"))`, "the gpt-image models"), not models.
FAMILY_PREFIXES = ("gpt-5", "gpt-6", "gpt-image", "text-embedding-3")

# The models lessons call and expect an answer from.
KIT_MODELS = (CHAT, CHAT_LARGER, CHAT_BALANCED, EMBEDDING, MODERATION, TRANSCRIBE, SPEECH, IMAGE)


@dataclass(frozen=True)
class Source:
    """Where a fact comes from: a repository and number, a file of the installed SDK, or the spec."""

    where: str
    says: str
    kind: str = "capture"  # capture: a real API answer quoted; docs; notice; sdk; spec; inference


@dataclass(frozen=True)
class Fact:
    text: str
    sources: tuple[Source, ...]
    settled: bool = True  # False: no capture either way, or captures that conflict; a re-record must check


# ---- sources, each quoted once ---------------------------------------------------------------------

SMOKE_TEST = Source(
    "public write-up '10d: OpenAI platform smoke test' (a 51-case parameter probe against api.openai.com, "
    "2026-09-24; found through the search corpus, repository not named)",
    "Chat: temperature:0.7 at default effort (gpt-6-luna, gpt-5.6-luna) -> \"Unsupported value: 'temperature' "
    "does not support 0.7 with this model. Only the default (1) value is supported.\"; temperature:0.7 + "
    "reasoning_effort:\"none\" -> 200; max_tokens (even at none) -> \"Unsupported parameter: 'max_tokens' is not "
    "supported with this model. Use 'max_completion_tokens' instead.\"; reasoning_effort max or minimal -> "
    "\"Unsupported value: 'reasoning_effort' does not support 'max' with this model. Supported values are: 'none', "
    "'low', 'medium', 'high', and 'xhigh'.\"; tools at any effort but none -> \"Function tools with reasoning_effort "
    "are not supported for gpt-6-luna in /v1/chat/completions. To use function tools, use /v1/responses or set "
    "reasoning_effort to 'none'.\"; gpt-5.5, gpt-5.4-mini, gpt-4.1-mini with tools and no reasoning_effort -> 200. "
    "Responses: default effort echoed as medium; effort none..max -> 200 (luna, sol); minimal -> \"Unsupported value: "
    "'minimal' is not supported with the 'gpt-6-luna' model. Supported values are: 'none', 'low', 'medium', 'high', "
    "'xhigh', and 'max'.\"; temperature:0.2 at default effort -> \"Unsupported parameter: 'temperature' is not "
    "supported with this model.\"; max_output_tokens:8 -> \"Invalid 'max_output_tokens': integer below minimum "
    "value. Expected a value >= 16, but got 8 instead.\"; reasoning tokens luna/none 0, luna/low 0-48, "
    "luna/medium 73-79 on a short prompt; reasoning item {\"type\":\"reasoning\",\"content\":[],"
    "\"encrypted_content\":...,\"summary\":[]} before the message; a chat stream chunk with "
    "\"model\":\"gpt-6-luna\", \"system_fingerprint\":null and usage with prompt_tokens_details.cache_write_tokens.",
)
KHOJ_1377 = Source(
    "khoj-ai/khoj#1377 (2026-07-20, gpt-5.6-luna)",
    "{'message': \"Unsupported value: 'temperature' does not support 0.8 with this model. Only the default (1) "
    "value is supported.\", 'type': 'invalid_request_error', 'param': 'temperature', 'code': 'unsupported_value'}",
)
LLMCOMP_69 = Source(
    "johny-b/llmcomp#69 (2026-04-20, gpt-5.4)",
    "{'message': \"Unsupported value: 'temperature' does not support 0 with this model. Only the default (1) value "
    "is supported.\", 'type': 'invalid_request_error', 'param': 'temperature', 'code': 'unsupported_value'}",
)
LITELLM_39631 = Source(
    "BerriAI/litellm#39631 (2026-09-03, gpt-6-astra on /v1/responses)",
    "{\"error\": {\"message\": \"Unsupported parameter: 'temperature' is not supported with this model.\", "
    "\"type\": \"invalid_request_error\", \"param\": \"temperature\", \"code\": null}}",
)
DUST_33031 = Source("dust-tt/dust#33031 (2026-09-22, gpt-6-luna on the Responses API, live suites)",
                    "GPT-6 Luna accepts `temperature` only at effort `none`; the API rejects `minimal`.")
MODELPARAMS_356 = Source("mnfst/modelparams.dev#356 (2026-09-05, automated probe of gpt-6-astra)",
                         "top_p min=0 -> \"Unsupported parameter: 'top_p' is not supported with this model.\"; "
                         "top_p max=1 -> accepted")
YPROMPT_26 = Source(
    "fish2018/YPrompt#26 (2025-12-22, gpt-5.1; same text for gpt-5.4, gpt-5.5, gpt-6-astra in "
    "caozhiyuan/copilot-api#172, BerriAI/litellm#40279)",
    "{\"message\": \"Unsupported parameter: 'max_tokens' is not supported with this model. Use "
    "'max_completion_tokens' instead.\", \"type\": \"invalid_request_error\", \"param\": \"max_tokens\", "
    "\"code\": \"unsupported_parameter\"}",
)
LANGFLOW_14361 = Source(
    "langflow-ai/langflow#14361 (2026-07-31, gpt-5.6-luna); onyx-dot-app/onyx#15008 (2026-09-23, gpt-6-sol)",
    "{'message': \"Function tools with reasoning_effort are not supported for gpt-5.6-luna in /v1/chat/completions. "
    "To use function tools, use /v1/responses or set reasoning_effort to 'none'.\", 'type': "
    "'invalid_request_error', 'param': 'reasoning_effort', 'code': None}",
)
PIPECAT_4043 = Source(
    "pipecat-ai/pipecat#4043 (2026-03-16, gpt-5.4 with reasoning_effort low)",
    "{'message': 'Function tools with reasoning_effort are not supported for gpt-5.4 in /v1/chat/completions. "
    "Please use /v1/responses instead.', 'type': 'invalid_request_error', 'param': 'reasoning_effort', 'code': None}",
)
LIVEKIT_7169 = Source("livekit/agents#7169 (2026-09-08)",
                      "once function tools are attached, gpt-5.6 requires `reasoning_effort` to be explicitly "
                      "\"none\" - omitting the parameter also 400s, unlike gpt-5.2/gpt-5.4, which just need it absent")
LIVEKIT_6153 = Source("livekit/agents#6153 (2026-06-18, gpt-5.4-mini)",
                      "400 - Unsupported value: 'reasoning_effort' does not support 'minimal' with this model. "
                      "Supported values are: 'none', 'low', 'medium', 'high', and 'xhigh'.")
EXPERIENTIAL_764 = Source("experientiallabs/experiential#764 (2026-09-03, gpt-5.6-luna, direct probe)",
                          "param=reasoning.effort: Unsupported value: 'minimal' is not supported with the "
                          "'gpt-5.6-luna' model. Supported values are: 'none', 'low', 'medium', 'high', 'xhigh', "
                          "and 'max'.")
AGENTS_2089 = Source("openai/openai-agents-python#2089 (gpt-5.1)",
                     "{'message': \"Unsupported value: 'minimal' is not supported with the 'gpt-5.1' model. Supported "
                     "values are: 'none', 'low', 'medium', and 'high'.\", 'type': 'invalid_request_error', "
                     "'param': 'reasoning.effort', 'code': 'unsupported_value'}")
MODELS_DEV_6639 = Source("anomalyco/models.dev#6639 (2026-09-09, direct POST /v1/chat/completions)",
                         "gpt-5.6-luna with reasoning_effort none, max_completion_tokens 16, temperature 0.2 -> 200 "
                         "'OK'; temperature 1.5 -> 200; paired seeds changed answers with temperature")
VERCEL_10932 = Source("vercel/ai#10932 (citing OpenAI's GPT-5.1 guide)",
                      "Logprobs, temperature and top-p are controllable parameters on gpt-5.1 when reasoning effort "
                      "is set to \"none\".", kind="docs")
LANGCHAINGO_1497 = Source("tmc/langchaingo#1497 (citing OpenAI's 'GPT-5.4 parameter compatibility' guide)",
                          "temperature = 0 with reasoning effort none should be supported", kind="docs")
BOLNA_1019 = Source("bolna-ai/bolna#1019 (2026-09-05, gpt-6-astra verified against the live model)",
                    "rejected four ways: max_tokens; stop: [\"User:\"]; any temperature other than 1; function tools "
                    "on chat completions, at every effort level")
STOP_GPT5 = Source("a GPT-5-era code comment quoting the API (found through the search corpus)",
                   "{'error': {'message': \"Unsupported parameter: 'stop' is not supported with this model.\", "
                   "'type': 'invalid_request_error', 'param': 'stop', 'code': 'unsupported_parameter'}}")
RELEASE_SOL_LUNA = Source("datacurve-ai/deep-swe#99, BerriAI/litellm-docs#1637 (2026-09-22)",
                          "GPT-6 Sol and Luna announced 2026-09-22", kind="notice")
SIMONW_1702 = Source("simonw/llm#1702 (2026-09-22)", "GPT-6 Luna is half the price of GPT-5.6 Luna!", kind="notice")
INSTRUCT_NOTICE = Source(
    "cognizant-ai-lab/neuro-san#414 (quoting OpenAI's e-mail of 2025-09-26); vercel/ai#20793 (2026-09-15); "
    "SillyTavern/SillyTavern#4735",
    "Shutdown on September 28, 2026: gpt-3.5-turbo-instruct, babbage-002, davinci-002, gpt-3.5-turbo-1106. "
    "After that model is gone, there will be no remaining models available through the Completions API.",
    kind="notice")
NOT_FOUND_2026 = Source(
    "simonw/llm#1553 (2026-07-25, a sweep of shut-down models)",
    "404 - {'error': {'message': 'The model `chatgpt-4o-latest` does not exist or you do not have access to it.', "
    "'type': 'invalid_request_error', 'param': None, 'code': 'model_not_found'}}")
DEPRECATED_FORM = Source(
    "anomalyco/opencode#38665 (2026-07-24); shivank8/ChatGPT_App#5 (2024, text-davinci-003)",
    "The model `gpt-5.1-codex-mini` has been deprecated, learn more here: https://platform.openai.com/docs/"
    "deprecations (code model_not_found)")
SDK_NOTES = Source("openai-python 3.51.0: the 'Deprecated values' notes beside its model types (read by "
                   "helpers.lifecycle)", "Announced shutdown dates, e.g. gpt-4 and gpt-3.5-turbo: 2026-10-23",
                   kind="sdk")
SDK_MODELS = Source("openai-python 3.51.0: openai/types/embedding_model.py",
                    "EmbeddingModel = Literal['text-embedding-ada-002', 'text-embedding-3-small', "
                    "'text-embedding-3-large']", kind="sdk")
SDK_TRANSCRIBE_FORMATS = Source("openai-python 3.51.0: openai/types/audio/transcription_create_params.py",
                                "For `gpt-4o-transcribe` and `gpt-4o-mini-transcribe`, the only supported format is "
                                "`json`.", kind="sdk")
AGENTS_DEFAULTS = Source("openai-agents 0.24.0: agents/models/default_models.py",
                         "get_default_model() -> os.getenv('OPENAI_DEFAULT_MODEL', 'gpt-5.6-luna'); for "
                         "^gpt-5\\.6-luna$ the default ModelSettings are reasoning=Reasoning(effort='none'), "
                         "verbosity='low'; a model matching no pattern gets ModelSettings() (nothing added)",
                         kind="sdk")
SDK_EFFORTS = Source("openai-python 3.51.0: openai/types/shared/reasoning_effort.py",
                     "ReasoningEffort = Literal['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] (the "
                     "type is wider than what any one model accepts)", kind="sdk")
SPEC_RANGE = Source("OpenAI's OpenAPI spec (tests/openapi): CreateChatCompletionRequest temperature minimum 0, "
                    "maximum 2", "temperature: number, minimum 0, maximum 2", kind="spec")
VERIFAI = Source(
    "ribdsp/VerifAI docs/PROVENANCE.md (measured against api.openai.com, 2026-09-24)",
    "temperature: 99 -> 400 \"Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 99.0 "
    "instead.\" code decimal_above_max_value; for a model that takes only the default temperature, Chat Completions "
    "says \"Unsupported value: 'temperature' does not support <value> with this model. Only the default (1) value is "
    "supported.\" where the Responses API says \"Unsupported parameter: 'temperature' is not supported with this "
    "model.\" with a null code; an unknown parameter -> \"Unknown parameter: '<name>'.\" code unknown_parameter; a "
    "model that does not exist -> 404 \"The model `<id>` does not exist or you do not have access to it.\", param "
    "null, code model_not_found")
REASONING_GUIDE = Source("OpenAI's reasoning guide, as quoted in litellm-docs#559 and 64bit/async-openai#424",
                         "reasoning tokens are billed as output tokens and count against max_completion_tokens / "
                         "max_output_tokens; a small limit can be used up before any visible text, leaving the "
                         "answer empty with finish_reason \"length\" (status \"incomplete\" on Responses)",
                         kind="docs")


COOKBOOK_COUNTING = Source(
    "openai/openai-cookbook examples/How_to_count_tokens_with_tiktoken.ipynb (commit c81359cd); "
    "openai/openai-cookbook#2140",
    "124 prompt tokens counted by num_tokens_from_messages(), 124 counted by the API; 101 by num_tokens_for_tools(), "
    "101 by the API (gpt-4o); o4-mini and gpt-5 count one lower; output schema: the JSON without required, "
    "additionalProperties and $schema, plus 9", kind="docs")
# ---- the models ------------------------------------------------------------------------------------

CHAT_EFFORTS = ("none", "low", "medium", "high", "xhigh")  # Chat Completions caps effort at xhigh
RESPONSES_EFFORTS = CHAT_EFFORTS + ("max",)
# Sampling and the other parameters that only a model that is not reasoning takes.
SAMPLING = ("temperature", "top_p", "logprobs", "top_logprobs", "stop", "presence_penalty", "frequency_penalty",
            "seed", "logit_bias")


@dataclass(frozen=True)
class Model:
    name: str
    family: str
    endpoints: tuple[str, ...]  # chat, responses, completions, embeddings, moderations, images, audio
    reasons: bool = False
    default_effort: str | None = None
    efforts: dict = field(default_factory=dict)  # endpoint -> the reasoning efforts it accepts there
    # Chat Completions: function tools refused unless effort is none; the message's ending differs by family.
    tools_need_no_reasoning: str = ""  # "", or the end of the API's message for this family
    fingerprint: bool = True  # whether answers carry a system_fingerprint (GPT-6 answers null)
    shutdown: date | None = None
    facts: tuple[Fact, ...] = ()

    def accepts_effort(self, endpoint: str, effort: str) -> bool:
        return effort in self.efforts.get(endpoint, ())

    def effort(self, endpoint: str, body: dict) -> str | None:
        """The effort a request runs at: the one it asks for, or the model's default."""
        asked = body.get("reasoning_effort") if endpoint == "chat" else (body.get("reasoning") or {}).get("effort")
        return asked or self.default_effort

    def is_reasoning(self, endpoint: str, body: dict) -> bool:
        return self.reasons and self.effort(endpoint, body) != NO_REASONING


TOOLS_ENDING_GPT6 = "To use function tools, use /v1/responses or set reasoning_effort to 'none'."
TOOLS_ENDING_GPT54 = "Please use /v1/responses instead."

GPT6_REASONS = Fact("Reasons by default at effort medium (Chat Completions and Responses).", (SMOKE_TEST,))
GPT6_EFFORTS = Fact("Chat Completions takes reasoning_effort none, low, medium, high, xhigh; max and minimal are "
                    "refused. Responses takes none, low, medium, high, xhigh, max; minimal is refused.",
                    (SMOKE_TEST, SDK_EFFORTS, AGENTS_2089))
GPT6_TEMPERATURE = Fact("temperature other than 1 is refused unless reasoning_effort is none (chat: 'Unsupported "
                        "value', code unsupported_value; Responses: 'Unsupported parameter', code null).",
                        (SMOKE_TEST, KHOJ_1377, LITELLM_39631, DUST_33031, VERIFAI))
GPT6_TOP_P = Fact("top_p is accepted at effort none; other than 1 at another effort it is refused ('Unsupported "
                  "parameter').", (SMOKE_TEST, MODELPARAMS_356))
GPT6_TOOLS = Fact("Function tools on Chat Completions are refused unless reasoning_effort is none (leaving it out "
                  "means medium); on Responses they are accepted at every effort.",
                  (SMOKE_TEST, LANGFLOW_14361, LIVEKIT_7169))
GPT6_MAX_TOKENS = Fact("max_tokens is refused on Chat Completions, even at effort none: use max_completion_tokens.",
                       (SMOKE_TEST, YPROMPT_26))
GPT6_LOGPROBS = Fact("logprobs is taken at effort none, as the GPT-5.1 guide documents for 'none'; refused at other "
                     "efforts.", (VERCEL_10932,), settled=False)
GPT6_OTHER_SAMPLING = Fact(
    "stop, presence_penalty, frequency_penalty, seed and logit_bias: refused while reasoning (as for gpt-6-astra and "
    "the GPT-5 reasoning models); at effort none no public capture shows either answer. The kit assumes they are "
    "taken at none, where the model does not reason; a re-record must confirm it.",
    (BOLNA_1019, STOP_GPT5, MODELS_DEV_6639), settled=False)
GPT6_N = Fact("n (several choices in one request) is taken on Chat Completions at effort none: the spec documents "
              "it for every chat model; no public capture shows a GPT-6 answer with n above 1, either way.",
              (Source("OpenAI's OpenAPI spec: CreateChatCompletionRequest.n", "How many chat completion choices to "
                      "generate for each input message. (minimum 1, maximum 128, default 1)", kind="spec"),),
              settled=False)
GPT6_REASONING_TOKENS = Fact("Reasoning tokens are counted in completion_tokens and billed as output; a short prompt "
                             "takes 0 at none, up to about 50 at low and about 75 at medium.",
                             (SMOKE_TEST, REASONING_GUIDE))
GPT6_REASONING_ITEM = Fact("Responses output puts a reasoning item (empty summary) before the message when the "
                           "model reasons.", (SMOKE_TEST,))
GPT6_MIN_OUTPUT = Fact("max_output_tokens below 16 is refused on Responses.", (SMOKE_TEST,))
GPT6_ECHO = Fact("The answer's model field repeats the requested name (no dated snapshot), and system_fingerprint "
                 "is null.", (SMOKE_TEST,), settled=False)
_GPT6_FACTS = (GPT6_REASONS, GPT6_EFFORTS, GPT6_TEMPERATURE, GPT6_TOP_P, GPT6_TOOLS, GPT6_MAX_TOKENS, GPT6_LOGPROBS,
               GPT6_OTHER_SAMPLING, GPT6_N, GPT6_REASONING_TOKENS, GPT6_REASONING_ITEM, GPT6_MIN_OUTPUT, GPT6_ECHO)

CATALOGUE: dict[str, Model] = {m.name: m for m in (
    Model(CHAT, "gpt-6", ("chat", "responses"), reasons=True, default_effort="medium",
          efforts={"chat": CHAT_EFFORTS, "responses": RESPONSES_EFFORTS}, tools_need_no_reasoning=TOOLS_ENDING_GPT6,
          fingerprint=False,
          facts=(Fact("Released 2026-09-22; the kit's main model because it is the cheapest current one.",
                      (RELEASE_SOL_LUNA, SIMONW_1702), ), *_GPT6_FACTS)),
    Model(CHAT_BALANCED, "gpt-6", ("chat", "responses"), reasons=True, default_effort="medium",
          efforts={"chat": CHAT_EFFORTS, "responses": RESPONSES_EFFORTS}, tools_need_no_reasoning=TOOLS_ENDING_GPT6,
          fingerprint=False, facts=_GPT6_FACTS),
    Model("gpt-6-astra", "gpt-6", ("chat", "responses"), reasons=True, default_effort="medium",
          efforts={"chat": CHAT_EFFORTS[1:], "responses": RESPONSES_EFFORTS[1:]},
          tools_need_no_reasoning=TOOLS_ENDING_GPT6, fingerprint=False,
          facts=(Fact("Always reasons: effort none is refused, so function tools never work on Chat Completions.",
                      (SMOKE_TEST, BOLNA_1019)),)),
    Model("gpt-5.6-luna", "gpt-5.6", ("chat", "responses"), reasons=True, default_effort="medium",
          efforts={"chat": CHAT_EFFORTS, "responses": RESPONSES_EFFORTS}, tools_need_no_reasoning=TOOLS_ENDING_GPT6,
          facts=(Fact("Takes temperature at effort none; its default effort is medium.",
                      (MODELS_DEV_6639, SMOKE_TEST)),
                 Fact("Refuses reasoning effort minimal.", (EXPERIENTIAL_764,)),
                 Fact("The openai-agents SDK's default model: an Agent that names no model calls gpt-5.6-luna and "
                      "sends reasoning.effort none and verbosity low (taken, by the facts above). An Agent that names "
                      "gpt-6-luna gets no settings added.", (AGENTS_DEFAULTS,)))),
    Model(CHAT_LARGER, "gpt-5.4", ("chat", "responses"), reasons=True, default_effort="none",
          efforts={"chat": CHAT_EFFORTS, "responses": CHAT_EFFORTS}, tools_need_no_reasoning=TOOLS_ENDING_GPT54,
          facts=(Fact("Does not reason unless asked: function tools work with no reasoning_effort.",
                      (SMOKE_TEST, LIVEKIT_7169)),
                 Fact("Takes reasoning_effort none, low, medium, high, xhigh; minimal is refused.", (LIVEKIT_6153,)),
                 Fact("Sampling parameters only at effort none; temperature other than 1 refused otherwise.",
                      (LANGCHAINGO_1497, LLMCOMP_69)),
                 Fact("Function tools with an effort other than none are refused ('Please use /v1/responses "
                      "instead.').", (PIPECAT_4043,)))),
    Model("gpt-5.4", "gpt-5.4", ("chat", "responses"), reasons=True, default_effort="none",
          efforts={"chat": CHAT_EFFORTS, "responses": CHAT_EFFORTS}, tools_need_no_reasoning=TOOLS_ENDING_GPT54,
          facts=(Fact("As gpt-5.4-mini.", (PIPECAT_4043, LLMCOMP_69)),)),
    Model("gpt-4o", "gpt-4o", ("chat", "responses"),
          facts=(Fact("Named in lesson 05 only: OpenAI's token-counting cookbook checked its counts against the live "
                      "API with it. Does not reason; the installed SDK's notes announce its shutdown "
                      "(helpers.lifecycle reads the date).", (COOKBOOK_COUNTING, SDK_NOTES)),)),
    Model(EMBEDDING, "embedding", ("embeddings",)),
    Model("text-embedding-ada-002", "embedding", ("embeddings",),
          facts=(Fact("Named in lesson 11 only, as the model old guides use; still listed by the installed SDK, "
                      "with no shutdown note.", (SDK_MODELS,)),)),
    Model("text-embedding-3-large", "embedding", ("embeddings",)),
    Model(MODERATION, "moderation", ("moderations",)),
    Model(TRANSCRIBE, "transcription", ("audio",)),
    Model("whisper-1", "transcription", ("audio",)),
    *(Model(name, "transcription", ("audio",),
            facts=(Fact("Named in lesson 04c only: the SDK documents json as its only response_format; the installed "
                        "SDK's notes announce its shutdown (helpers.lifecycle reads the date).",
                        (SDK_TRANSCRIBE_FORMATS, SDK_NOTES)),))
      for name in ("gpt-4o-transcribe", "gpt-4o-mini-transcribe")),
    Model(SPEECH, "speech", ("audio",)),
    Model(IMAGE, "image", ("images",)),
    Model(INSTRUCT, "gpt-3.5", ("completions",), shutdown=date(2026, 9, 28),
          facts=(Fact("Shut down on 2026-09-28 with davinci-002 and babbage-002, the other models of the legacy "
                      "completions endpoint, which therefore serves no model today. The installed SDK has no note "
                      "of it.", (INSTRUCT_NOTICE,)),
                 Fact("A request for a shut-down model gets 404 model_not_found. In 2026 captures the message is "
                      "either 'The model `X` does not exist or you do not have access to it.' or 'The model `X` "
                      "has been deprecated, learn more here: ...'; the kit uses the first.",
                      (NOT_FOUND_2026, VERIFAI, DEPRECATED_FORM), settled=False))),
    Model("davinci-002", "gpt-3", ("completions",), shutdown=date(2026, 9, 28),
          facts=(Fact("Shut down on 2026-09-28.", (INSTRUCT_NOTICE,)),)),
    Model("babbage-002", "gpt-3", ("completions",), shutdown=date(2026, 9, 28),
          facts=(Fact("Shut down on 2026-09-28.", (INSTRUCT_NOTICE,)),)),
)}

FORCED_TOOL = Source("vllm-project/vllm#25054 (2025-09-17, OpenAI's answers to gpt-4o requests, quoted)",
                     "(tool_choice, stream) -> OpenAI: required, False -> tool_calls; required, True -> tool_calls; "
                     "named, False -> stop; named, True -> stop")
COUNTING = Fact("Prompt tokens follow OpenAI's published counting (3 per message, 3 for the reply; function "
                "definitions by the cookbook's num_tokens_for_tools); reasoning models one token lower; output "
                "schemas by one user's measured formula.", (COOKBOOK_COUNTING,), settled=False)

VISION_GUIDE_PATCHES = Source(
    "vybestack/llxprt-code#3477 and #3483 (2026-09-01, quoting OpenAI's vision guide; measured on gpt-5.6-sol)",
    "GPT-5.2 and later ... bill image input as input tokens computed from 32px patches: image_tokens = "
    "ceil(1.2 × min(ceil(width/32) × ceil(height/32), 1536)) ... detail: \"original\" allows up to 10,000 patches "
    "and 12,000 tokens; the formula applies to GPT-5.2+ and GPT-6+ IDs", kind="docs")
VISION_SIZING_56 = Source(
    "Prism-Shadow/agenthub#194 (2026-09-02, quoting the images-vision guide's model sizing table; a gpt-5.6-terra "
    "capture)", "on the gpt-5.6 family the default auto detail behaves like original: the API keeps the image's own "
    "dimensions and rejects an image over 30,000 patches ('400 The image you provided requires 53800 patches after "
    "processing, exceeding the limit of 30000.'); high fits the image into 2048×2048 pixels and 2,500 patches; "
    "gpt-5.5 and gpt-5.4 carry a patch budget at every detail level")
VISION_GPT54 = Source(
    "omnara-ai/omnara#446 (2026-09-04, review thread)",
    "gpt-5.4: 2,500-patch budget; gpt-5.4-mini and gpt-5-mini: 1,536 patches × 1.62 in the first version, the "
    "gpt-5.4 branch (2,500 × 1.2) in the second; a reviewer cites a documented 1,843-token mini ceiling")
VISION_LOW = Source("OpenAI's vision guide as mirrored at openai-hd4n6.mintlify.app/docs/guides/images",
                    "\"detail\": \"low\" ... The model receives a low-resolution 512px x 512px version of the image.",
                    kind="docs")
CACHING_GUIDE = Source(
    "OpenAI's prompt caching guide, quoted in affaan-m/ECC#3173 and tleyden/arty#146 (2026)",
    "The minimum cacheable prompt length is 1,024 tokens for GPT-5.6 and later ... cache writes cost 1.25× the "
    "standard, uncached input-token rate ... subsequent reads cost only 0.1× that rate ... Cache-write pricing is "
    "not an additive fee: input tokens use the uncached-input, cached-input, or cache-write rate. Earlier models: "
    "automatic best-effort reuse of matching prefixes, 1,024 to 2,048 tokens minimum, no cache-write fee",
    kind="docs")
CACHING_CAPTURES = Source(
    "BerriAI/litellm#37628 (gpt-5.6 chat: call 1 prompt 7540, cache_write_tokens 7537, cached 0; later calls read "
    "the shared prefix and write the tail); valkompass-ai/valkompass-ai#16 (gpt-5.6-luna Responses: turn 1 prompt "
    "8,535 cached 0, turn 2 prompt 17,175 cached 8,532); 64bit/async-openai#272 (earlier models: prompt 2006, "
    "cached 1920)",
    "usage.prompt_tokens_details.cached_tokens / cache_write_tokens (Chat), usage.input_tokens_details (Responses)")
CACHING_AX = Source("ax-llm/ax#573 (2026-08-05, gpt-5.6-luna)",
                    "an append-only conversation's cached_tokens pinned at the system message on every turn")
CACHE_KEY_GUIDE = Source(
    "OpenAI's prompt caching guide, quoted in sernote/audit-prompt-caching#15 (2026-08-04) and "
    "iii-hq/workers#1202",
    "on GPT-5.6 and later model families you must set [prompt_cache_key] to get the more reliable matching, for "
    "both implicit and explicit caching. Without a key a request may still take an automatic hit, but it does not "
    "use the improved per-breakpoint matching. ... prompt_cache_key: a stable ID that routes requests to the same "
    "cache. Set it consistently across all requests in a session or application", kind="docs")
CACHE_KEY = Fact(
    "On GPT-5.6 and later, the breakpoint matching (a read of the longest prefix an earlier request wrote) is the "
    "guide's promise only for requests that share a prompt_cache_key; without one a hit may come but is not to be "
    "counted on. The stand-in reads the cache either way; lesson 05b, which teaches caching, sends a key.",
    (CACHE_KEY_GUIDE,), settled=False)
VISION_FACTS = (
    Fact("Images are billed as input tokens: 32-pixel patches of the image after fitting it to its detail, times "
         "1.2 per patch on GPT-5.6 and later (GPT-6 included); detail high fits 2048×2048 and 2,500 patches, auto "
         "behaves like original (the image's own size, refused above 30,000 patches). Sources disagree on the high "
         "budget (1,536 or 2,500) and the original limit (10,000 or 30,000): the kit counts the larger "
         "(helpers/vision.py).", (VISION_GUIDE_PATCHES, VISION_SIZING_56), settled=False),
    Fact("gpt-5.4-mini bills images at 1.62 tokens per patch (one source says 1.2: the kit counts the larger), "
         "2,500 patches at high and auto.", (VISION_GPT54, VISION_SIZING_56), settled=False),
    Fact("detail low shows the model the image fitted into 512×512 pixels; for patch-billed models the kit counts "
         "those patches (no public count for them).", (VISION_LOW,), settled=False),
)
CACHING_FACTS = (
    Fact("Prompt caching starts at a 1,024-token prefix. GPT-5.6 and later families place an implicit breakpoint "
         "at the latest user or tool message: a request writes its prefix to there (cache_write_tokens, billed "
         "1.25× input) and reads the longest prefix an earlier request wrote (cached_tokens, billed 0.1× input). "
         "One report saw only the system message read on every turn; the captures that read the previous turn are "
         "followed.", (CACHING_GUIDE, CACHING_CAPTURES, CACHING_AX), settled=False),
    Fact("Models before GPT-5.6 cache matching prefixes automatically, in 128-token steps from 1,024, with no write "
         "fee.", (CACHING_GUIDE, CACHING_CAPTURES), settled=False),
)
OPENAI_GO_451 = Source(
    "openai/openai-go#451 (2025-07-15, gpt-4.1 on /v1/responses with the web search tool, the answer quoted)",
    "output: {\"id\": \"ws_...\", \"type\": \"web_search_call\", \"status\": \"completed\", \"action\": {\"type\": "
    "\"search\", \"query\": \"latest news today\"}}, then a message whose output_text has annotations {\"type\": "
    "\"url_citation\", \"end_index\": 344, \"start_index\": 276, \"title\": \"News | Today's latest from Al Jazeera\", "
    "\"url\": \"https://www.aljazeera.com/news/?utm_source=openai\"} (68 characters: the inline markdown link "
    "to that url with aljazeera.com as its text, in brackets)")
INLINE_CITATIONS = Source("home-assistant/core#170566 (2026-05-14, gpt-5.4 with web search)",
                          "GPT-5.x models consistently include inline citations (a markdown link with the domain "
                          "legaseriea.it as its text, in brackets) in the answer's text")
WEB_SEARCH_PRICING = Source(
    "genai-prices 0.2.3 (OpenAI gpt-6-luna: web_searches_kcount 10, verified 2026-10-12 against OpenAI's pricing "
    "page); community.openai.com/t/search-web-using-openai-api/1363698 (OpenAI staff quoting the pricing page)",
    "Web search (all models): $10 / 1k calls + search content tokens billed at model rates", kind="docs")
SOURCES_INCLUDE = Source("openai-python 3.51.0: openai/types/responses/response_function_web_search.py, "
                         "response_includable.py",
                         "ActionSearch.sources: Optional[List[ActionSearchSource]]; includable "
                         "'web_search_call.action.sources'", kind="sdk")
WEB_SEARCH_SHAPE = Fact(
    "The Responses API's web_search tool answers with a web_search_call item (action search, with its query; "
    "action.sources only when include asks for web_search_call.action.sources) before the message, whose text "
    "carries, after each cited claim, an inline markdown link to the page in brackets (the domain as its text, the "
    "url with utm_source=openai added) and a url_citation annotation whose start_index and end_index span exactly "
    "that link.", (OPENAI_GO_451, INLINE_CITATIONS, SOURCES_INCLUDE))
WEB_SEARCH_COST = Fact(
    "A web search is billed per call ($10 per 1,000 with gpt-6-luna) on top of tokens, and the pages it reads are "
    "billed as input tokens. No public capture gives their size: the stand-in adds an estimate per search "
    "(helpers/authoring/standin/web_search.py); a re-record must check it.", (WEB_SEARCH_PRICING,), settled=False)
WEB_SEARCH_GPT6 = Fact(
    "gpt-6-luna takes the web_search tool on the Responses API: OpenAI prices web search for it (no public capture "
    "of an answer yet).", (WEB_SEARCH_PRICING,), settled=False)

CONVERSATIONS = Fact(
    "A response created with conversation=ID reads the conversation's items before its input; afterwards the "
    "conversation holds that input and the response's output items. Items are listed newest first unless "
    "order=asc.",
    (Source("OpenAI's OpenAPI spec: CreateResponse.conversation (ConversationParam), GET "
            "/conversations/{conversation_id}/items (order, default desc)",
            "Items from this conversation are prepended to input_items for this response request. Input items and "
            "output items from this response are automatically added to this conversation after this response "
            "completes.", kind="spec"),))
REASONING_SUMMARY = Fact(
    "With reasoning.summary set (auto, concise, detailed) a reasoning item carries summary_text parts, streamed "
    "before the answer as response.reasoning_summary_part.added, reasoning_summary_text.delta and .done, "
    "reasoning_summary_part.done; without it no summary comes. A summary can be empty for a short answer. An "
    "organization that is not verified is refused a summary: 400 \"Your organization must be verified to generate "
    "reasoning summaries. ...\" (param reasoning.summary, code unsupported_value); the kit's recordings are of a "
    "verified organization.",
    (Source("leookun/cursor-byok#281 (2026-08-08)", "The adapter requested reasoning.encrypted_content but omitted "
            "reasoning.summary, so OpenAI did not emit response.reasoning_summary_text.delta."),
     Source("anomalyco/opencode#44595 (2026-08-24)", "response.output_item.added {type:\"reasoning\"} -> "
            "response.reasoning_summary_part.added {summary_index:0} -> response.reasoning_summary_text.done -> "
            "response.reasoning_summary_part.done -> response.output_item.done"),
     Source("continuedev/continue#9811 (2026-01-23, gpt-5); continuedev/continue#9928 (2026-01-26)",
            "{\"message\":\"Your organization must be verified to generate reasoning summaries. Please go to: "
            "https://platform.openai.com/settings/organization/general and click on Verify Organization. If you "
            "just verified, it can take up to 15 minutes for access to propagate.\",\"type\":"
            "\"invalid_request_error\",\"param\":\"reasoning.summary\",\"code\":\"unsupported_value\"}"),
     Source("mstarren/nanobot#18 (2026-08-16, gpt-5.6-luna on a Responses endpoint)",
            "the Responses endpoint returns a structured reasoning item {\"type\": \"reasoning\", \"summary\": "
            "[{\"type\": \"summary_text\", \"text\": \"...\"}]}")),
    settled=False)

FUNCTION_CALL_NEEDS_REASONING = Fact(
    "On the Responses API a reasoning model's function_call item, sent back in input by its id, must come with the "
    "reasoning item that preceded it; without it the API answers 400 \"Item 'fc_...' of type 'function_call' was "
    "provided without its required 'reasoning' item: 'rs_...'.\" (param input, code null). Sending the whole "
    "output back, or using previous_response_id, keeps it.",
    (Source("continuedev/continue#10018 (2026-01-29, gpt-5); continuedev/continue#12056 (2026-04-06)",
            "{\"message\":\"Item 'fc_07b2...' of type 'function_call' was provided without its required "
            "'reasoning' item: 'rs_07b2...'.\",\"type\":\"invalid_request_error\",\"param\":\"input\","
            "\"code\":null}"),))

FILE_SEARCH_COOKBOOK = Source(
    "openai/openai-cookbook examples/File_Search_Responses.ipynb (a captured answer, gpt-4o-mini)",
    "output[0] the file_search_call (queries, status, results null unless included), output[1] the message, "
    "its output_text annotations of type file_citation naming the file_id and filename used")
FILE_SEARCH_TOOL_CHOICE = Source(
    "BittnerPierre/AI-Agent-Casebook#127 (gpt-5 on /v1/responses)",
    "400 Tool choices other than 'auto' are not supported with model 'gpt-5' and the following tool types: "
    "'file_search'. (param tool_choice)")
SPEC_FILE_SEARCH = Source("OpenAI's OpenAPI spec: FileSearchTool (vector_store_ids, max_num_results), "
                          "FileSearchToolCall, Includable file_search_call.results, StaticChunkingStrategy",
                          "results: The results of the file search tool call (only with include "
                          "file_search_call.results); chunking default 800 tokens, 400 overlap", kind="spec")
FILE_SEARCH_SHAPE = Fact(
    "The file_search tool answers with a file_search_call item (its queries; results only when include asks for "
    "file_search_call.results) before the message, whose text carries file_citation annotations naming the file; "
    "the retrieved chunks count as input tokens.", (FILE_SEARCH_COOKBOOK, SPEC_FILE_SEARCH))
FILE_SEARCH_GPT6 = Fact(
    "gpt-6-luna takes the file_search tool on the Responses API with tool_choice auto (the spec offers the tool to "
    "every model; no public capture shows a GPT-6 answer); a reasoning model refuses any other tool_choice with it.",
    (SPEC_FILE_SEARCH, FILE_SEARCH_TOOL_CHOICE), settled=False)
PDF_INPUT = Fact(
    "The Responses API reads a PDF given as an input_file part (file_id, file_data or file_url): the model gets its "
    "text and an image of each page, billed as input. GPT-5.6 Luna's document tests pass with PDFs and GPT-6 Luna "
    "has the same input contract; how a page image is counted is not documented, so the kit counts each page as "
    "a 768×1024 image by the model's image rule (helpers/authoring/standin/files.py).",
    (Source("openai/openai-go#524 (2026-06-24, an OpenAI maintainer)", "This is supported through the Responses "
            "API. You can include both text and a PDF/file input in the same user message ... FileID ... FileURL ... "
            "FileData for base64 file content.", kind="docs"),
     Source("Kiln-AI/Kiln#1560 (live provider tests of gpt-5.6-luna)",
            "test_extract_document_success[application/pdf-*-gpt_5_6_luna-openai] passes (an intermittent 401, passes "
            "on rerun)"),
     Source("dust-tt/dust#33031 (2026-09-22)", "GPT-6 Luna ... with an identical input contract and context window "
            "[to GPT-5.6 Luna]", kind="notice"),
     Source("langchain-ai/langchain#30601", "OpenAI does not appear to document how it transforms PDF pages to "
            "images, which determines how tokens are counted", kind="docs")),
    settled=False)
PREVIOUS_RESPONSE = Fact(
    "A response created with previous_response_id reads that response's input and output before its own input (a "
    "stored response: store defaults to true).",
    (Source("OpenAI's OpenAPI spec: CreateResponse.previous_response_id, store", "The unique ID of the previous "
            "response to the model. Use this to create multi-turn conversations.", kind="spec"),))
OUTPUT_BUDGET = Fact(
    "A reasoning model spends max_output_tokens (max_completion_tokens on chat) on reasoning first: a small limit "
    "ends the answer early, status incomplete with reason max_output_tokens on Responses (finish_reason length on "
    "chat), possibly with no text at all.", (REASONING_GUIDE, SMOKE_TEST))
BATCH = Fact(
    "A batch runs the lines of a JSONL file (custom_id, method, url, body) against one endpoint within 24h: "
    "validating, in_progress, then completed with an output file of {id, custom_id, response: {status_code, "
    "request_id, body}, error} lines; requests refused go to the error file. Each line's body is refused or "
    "answered as the same request sent alone would be. Prices: helpers.prices (batch rates).",
    (Source("OpenAI's OpenAPI spec: CreateBatchRequest (endpoint, completion_window '24h'), Batch.status, "
            "BatchRequestInput, BatchRequestOutput", "BatchRequestOutput: id, custom_id, response {status_code, "
            "request_id, body}, error", kind="spec"),))
RATE_LIMIT_HEADERS = Fact(
    "Every answer carries x-ratelimit-limit/remaining/reset for requests and tokens; a reset is written as Go "
    "writes durations (17ms, 6m0s) and is the time the used part takes to refill at the limit's per-minute rate "
    "(helpers/authoring/standin/ratelimits.py).",
    (Source("alexrudall/ruby-openai#419 (quoting OpenAI's rate-limits guide)", "x-ratelimit-limit-requests: 60, "
            "x-ratelimit-remaining-requests: 59, x-ratelimit-reset-requests: 1s, x-ratelimit-reset-tokens: 6m0s"),
     Source("openai/openai-python#416", "x-ratelimit-limit-requests: 3500, x-ratelimit-remaining-requests: 3499, "
            "x-ratelimit-reset-requests: 17ms")))

RESPONSE_FIELDS = Fact(
    "A Responses answer echoes the request's settings and also carries billing {payer: developer}, "
    "prompt_cache_retention (null unless asked) and frequency_penalty and presence_penalty (0), which the spec "
    "does not list. The captures are of gpt-4o models; no GPT-6 capture shows the whole object.",
    (Source("a test fixture quoting OpenAI's batch output for gpt-4o-mini-2024-07-18 (2025-12), found through the "
            "search corpus", "\"background\": false, \"billing\": {\"payer\": \"developer\"}, ... "
            "\"prompt_cache_key\": null, \"prompt_cache_retention\": null, \"reasoning\": {\"effort\": null, "
            "\"summary\": null}, \"safety_identifier\": null, \"service_tier\": \"default\""),
     Source("an openai-agents run state quoting a gpt-4o-2024-08-06 response (2026-02), found through the search "
            "corpus", "\"billing\": { \"payer\": \"developer\" }, \"completed_at\": 1770383792, ... "
            "\"frequency_penalty\": 0, ... \"presence_penalty\": 0, ... \"prompt_cache_retention\": null")),
    settled=False)

# Facts about the API as a whole, not one model.
GENERAL_FACTS = (
    *VISION_FACTS,
    *CACHING_FACTS,
    CACHE_KEY,
    COUNTING,
    CONVERSATIONS,
    REASONING_SUMMARY,
    FUNCTION_CALL_NEEDS_REASONING,
    RESPONSE_FIELDS,
    PREVIOUS_RESPONSE,
    OUTPUT_BUDGET,
    FILE_SEARCH_SHAPE,
    FILE_SEARCH_GPT6,
    PDF_INPUT,
    BATCH,
    RATE_LIMIT_HEADERS,
    WEB_SEARCH_SHAPE,
    WEB_SEARCH_COST,
    WEB_SEARCH_GPT6,
    Fact("A tool call forced by naming the function in tool_choice ends with finish_reason \"stop\"; with "
         "tool_choice \"required\" or \"auto\" it ends with \"tool_calls\", streamed or not.", (FORCED_TOOL,)),
    Fact("A strict json_schema that breaks strict mode's rules is refused: \"Invalid schema for response_format "
         "'NAME': In context=(), 'additionalProperties' is required to be supplied and to be false.\" (or \"... "
         "'required' is required to be supplied and to be an array including every key in properties. Missing "
         "'KEY'.\").", (SMOKE_TEST,)),
    Fact("temperature outside 0 to 2 is refused before any model rule: \"Invalid 'temperature': decimal above "
         "maximum value. Expected a value <= 2, but got 3 instead.\" (code decimal_above_max_value).",
         (SPEC_RANGE, VERIFAI)),
    Fact("Shutdown dates not in the installed SDK's notes come from public notices (this catalogue); the SDK's own "
         "notes are read by helpers.lifecycle.", (SDK_NOTES, INSTRUCT_NOTICE)),
)


def model(name: str) -> Model | None:
    """The catalogue's entry for a model name (a dated snapshot name finds its alias), or None."""
    if name in CATALOGUE:
        return CATALOGUE[name]
    alias = name.rsplit("-", 3)[0] if name[-10:-6].isdigit() else None  # gpt-5.4-mini-2026-03-17
    return CATALOGUE.get(alias) if alias else None


def shutdown_notices() -> dict[str, date]:
    """Shutdowns known from public notices where the installed SDK is silent."""
    return {m.name: m.shutdown for m in CATALOGUE.values() if m.shutdown}
