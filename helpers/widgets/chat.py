"""A chat widget: a history pane, an input box, Send and Reset (lesson 03; the capstone builds on it).

`Chat` holds the state and makes the requests, with no display, so tests drive it headlessly;
`ChatWidget` shows it. The widget keeps the conversation in `messages`, the list every request
sends in full: the model's only memory. Offline it offers the recorded messages it can answer.
"""
from __future__ import annotations

import html
import json
import weakref
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
import openai

from .. import endpoints, models, proxy_errors, sandbox
from ..history import HistoryError
from ..modes import KIT_ERRORS
from ..prices import usd
from ..recordings import OfflineMiss, recorded_requests
from ..shell import running_shell

__all__ = ["DEFAULT_DEVELOPER", "DEFAULT_MODEL", "CHAT_PATH", "MISS_NOTE", "GO_LIVE", "ChatInputError",
           "friendly_error", "Turn", "Chat", "ROLE_COLOURS", "message_html", "describe", "ChatWidget"]

DEFAULT_DEVELOPER = "You are a friendly travel guide. Answer in at most three sentences."
DEFAULT_MODEL = models.CHAT
CHAT_PATH = endpoints.CHAT
# Offline, a message nobody recorded has no answer: the pane says so in a line, not the request's wire form.
MISS_NOTE = "Offline, only recorded messages have answers, and this one was not recorded."
GO_LIVE = "or go live with your own key (lesson 00)"


class ChatInputError(ValueError):
    """A message the chat refuses to send; the text says why."""


def friendly_error(err: Exception) -> str:
    """What went wrong, for the pane: a short note for a miss, the kit's other errors as they are (each says
    what happened and what to do), a short explanation of an API error."""
    if isinstance(err, OfflineMiss):
        return f"{MISS_NOTE} Pick a recorded message, {GO_LIVE}."
    if isinstance(err, KIT_ERRORS):
        return str(err)
    hint = proxy_errors.advice(err)
    if hint:
        return hint
    if isinstance(err, openai.AuthenticationError):
        return "The API refused the key (401). Check OPENAI_API_KEY, then restart the kernel."
    if isinstance(err, openai.RateLimitError):
        return "Too many requests, or no credit left (429). Wait a moment and send again, or check your billing."
    if isinstance(err, openai.APIConnectionError):
        return "The server could not be reached. Check your connection (or OPENAI_BASE_URL) and send again."
    if isinstance(err, openai.APIStatusError):
        detail = err.body.get("message") if isinstance(err.body, dict) else None
        return f"The API answered with an error ({err.status_code}): {detail or err.message}"
    return f"The request failed: {err}"


@dataclass
class Turn:
    """One exchange: what the user sent, the reply (or what went wrong) and the usage of each request."""
    user: str
    reply: str | None = None
    error: str | None = None
    usages: list = field(default_factory=list)
    tool_calls: list[str] = field(default_factory=list)
    cost: float | None = None  # in dollars, when the chat prices its turns
    missed: bool = False  # offline, and the request was not recorded

    @property
    def prompt_tokens(self) -> int:
        return sum(u.prompt_tokens for u in self.usages)

    @property
    def completion_tokens(self) -> int:
        return sum(u.completion_tokens for u in self.usages)

    def __repr__(self) -> str:
        lines = [f"user: {self.user}"]
        lines += [f"tool: {call}" for call in self.tool_calls]
        if self.error:
            lines.append(f"(not answered) {self.error}")
        else:
            lines.append(f"assistant: {self.reply}")
            price = f", {usd(self.cost)}" if self.cost is not None else ""
            lines.append(f"({self.prompt_tokens} prompt tokens, {self.completion_tokens} completion tokens{price})")
        return "\n".join(lines)


class Chat:
    """The conversation and its requests, with no display."""

    def __init__(self, developer: str = DEFAULT_DEVELOPER, model: str = DEFAULT_MODEL,
                 client: openai.OpenAI | None = None) -> None:
        self.developer = developer
        self.model = model
        self._client = client
        self.on_change = lambda: None  # the view sets this to redraw while a reply arrives
        self.reset()

    @property
    def client(self) -> openai.OpenAI:
        if self._client is None:  # made on first use, after setup() has chosen the mode
            self._client = openai.OpenAI()
        return self._client

    def reset(self) -> None:
        self.messages: list[dict] = [{"role": "developer", "content": self.developer}] if self.developer else []
        self.partial = ""  # the reply so far, while it streams in

    @staticmethod
    def validate(text: object) -> str:
        if not isinstance(text, str):
            raise ChatInputError(f"A message is text, not {type(text).__name__}.")
        if not text.strip():
            raise ChatInputError("Type a message first: an empty message is not sent.")
        return text.strip()

    def request(self, messages: list[dict]) -> dict:
        """The body of a chat request with these messages."""
        return {"model": self.model, "messages": messages}

    def send(self, text: object) -> Turn:
        """Send one user message with the whole history; on an error the history is left as it was."""
        turn = Turn(self.validate(text))
        start = len(self.messages)
        self.messages.append({"role": "user", "content": turn.user})
        try:
            turn.reply = self.answer(turn)
        except (*KIT_ERRORS, openai.APIError) as err:
            del self.messages[start:]
            turn.error = friendly_error(err)
            turn.missed = isinstance(err, OfflineMiss)
        else:
            self.messages.append({"role": "assistant", "content": turn.reply})
        self.partial = ""
        return turn

    def answer(self, turn: Turn) -> str:
        """Ask the model for the reply to the history as it stands."""
        response = self.client.chat.completions.create(**self.request(self.messages))
        turn.usages.append(response.usage)
        return response.choices[0].message.content

    def suggestions(self, notebook: str) -> list[str]:
        """Recorded user messages whose request, sent now, offline mode can answer."""
        found = []
        for recorded in recorded_requests(notebook):
            body = recorded["body"]
            if recorded["path"] != CHAT_PATH or not isinstance(body, dict) or not body.get("messages"):
                continue
            last = body["messages"][-1]
            if last.get("role") != "user" or last.get("content") in found:
                continue
            candidate = self.messages + [{"role": "user", "content": last["content"]}]
            try:
                request = json.loads(json.dumps(self.request(candidate)))
            except HistoryError:  # a recorded message this chat could not send anyway
                continue
            if request == body:
                found.append(last["content"])
        return found


# --- the view -----------------------------------------------------------------------------------

ROLE_COLOURS = {"developer": "#6a737d", "system": "#6a737d", "user": "#0550ae", "assistant": "#1a7f37",
                "tool": "#8250df"}


def message_html(role: str, text: str) -> str:
    colour = ROLE_COLOURS.get(role, "#000")
    body = html.escape(text).replace("\n", "<br>")
    return f'<div style="margin:4px 0"><b style="color:{colour}">{html.escape(role)}</b>: {body}</div>'


def describe(message: dict) -> tuple[str, str]:
    """(label, text) for one message in the pane; tool calls and results are named."""
    role, text = message["role"], message.get("content") or ""
    calls = [f"{c['function']['name']}({c['function']['arguments']})" for c in message.get("tool_calls") or []]
    if calls:
        text = (text + "\n" if text else "") + "calls " + ", ".join(calls)
    if role == "tool":
        role = f"tool result ({message.get('tool_call_id', '')})"
    return role, text


class ChatWidget(widgets.VBox):
    """A history pane, the Recorded list, an input box, Send and Reset around a `Chat`.

    `ChatWidget(notebook="03_conversation_history")` offers that notebook's recorded messages that can
    be sent next, so offline learners know what has an answer; live, any message works. Enter sends.
    A notice (a refused message, an error) answers the last action: the next send, Reset, or cell run
    clears it.
    """

    def __init__(self, chat: Chat | None = None, notebook: str | None = None, **chat_options: Any) -> None:
        self.chat = chat or Chat(**chat_options)
        self.notebook = notebook
        self.notice = ""
        self.pane = widgets.HTML(layout=widgets.Layout(border="1px solid #ccc", padding="6px"))
        self.input = widgets.Text(placeholder="Type a message and press Send", description="Message",
                                  layout=widgets.Layout(width="70%"))
        self.send_button = widgets.Button(description="Send", button_style="primary",
                                          tooltip="Send the message with the whole conversation (or press Enter)")
        self.reset_button = widgets.Button(description="Reset", tooltip="Start the conversation again")
        self.suggestion_list = widgets.Dropdown(description="Recorded:", layout=widgets.Layout(width="95%"))
        self.send_button.on_click(lambda _: self._send_typed())
        self.reset_button.on_click(lambda _: self.reset())
        self.input.on_msg(self._on_input_message)
        self.suggestion_list.observe(self._use_suggestion, names="value")
        self.chat.on_change = self.refresh_pane
        # Tab order follows the task: pick a recorded message, edit it, send.
        super().__init__([self.pane, self.suggestion_list,
                          widgets.HBox([self.input, self.send_button, self.reset_button])])
        _clear_notice_when_a_cell_runs(self)
        self.refresh()

    @property
    def messages(self) -> list[dict]:
        return self.chat.messages

    def send(self, text: object) -> Turn | None:
        """Send `text` as if typed and sent; returns the turn (None when the text was refused)."""
        self.notice = ""
        try:
            text = self.chat.validate(text)
        except ChatInputError as err:
            self.notice = str(err)
            self.refresh()
            return None
        self.input.value = ""
        answered_before = sandbox.answered()
        turn = self.chat.send(text)
        self.notice = sandbox.note_since(answered_before)  # the reply came from the local sandbox, not OpenAI
        if turn.error:
            self.notice = self.miss_note() if turn.missed else turn.error
            self.input.value = text  # kept, to edit and send again
        self.refresh()
        return turn

    def miss_note(self) -> str:
        """The pane's note for a message nobody recorded: what can be sent instead, or how to go on."""
        options = self.suggestions()
        if options:
            offered = "\n".join(f"  • {text}" for text in options)
            return f"{MISS_NOTE} Pick one from the Recorded list, {GO_LIVE}:\n{offered}"
        if any(m["role"] == "user" for m in self.chat.messages):
            return f"{MISS_NOTE} The recorded conversation goes no further from here: press Reset, {GO_LIVE}."
        return f"{MISS_NOTE} Nothing recorded can be sent from here: {GO_LIVE.removeprefix('or ')}."

    def reset(self) -> None:
        self.chat.reset()
        self.notice = ""
        self.input.value = ""
        self.refresh()

    def _send_typed(self) -> None:
        """What Send and Enter do: send the box's text, then leave the cursor in the box for the next one."""
        self.send(self.input.value)
        self.input.focus()

    def _on_input_message(self, _widget: Any, content: dict[str, Any], _buffers: list[bytes]) -> None:
        if content.get("event") == "submit":  # Enter in the box (ipywidgets' text view sends this)
            self._send_typed()

    def _use_suggestion(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.input.value = change["new"]
            self.input.focus()

    def suggestions(self) -> list[str]:
        return self.chat.suggestions(self.notebook) if self.notebook else []

    def pane_html(self) -> str:
        """The conversation, newest at the bottom and in view: a log that a screen reader announces.

        The log is a reversed column, so the browser keeps it scrolled to its end as messages arrive."""
        parts = [message_html(*describe(m)) for m in self.chat.messages]
        if self.chat.partial:
            parts.append(message_html("assistant", self.chat.partial + " …"))
        if self.notice:
            parts.append('<pre role="status" class="kit-chat-notice" '
                         'style="color:#b35900;white-space:pre-wrap;margin:4px 0">'
                         f"{html.escape(self.notice)}</pre>")
        # tabindex: a pane that scrolls must take focus, so a keyboard can scroll it too.
        return ('<div class="kit-chat-log" role="log" aria-live="polite" aria-label="Conversation" tabindex="0" '
                'style="max-height:360px;overflow-y:auto;display:flex;flex-direction:column-reverse">'
                f"<div>{''.join(parts)}</div></div>")

    def refresh_pane(self) -> None:
        self.pane.value = self.pane_html()

    def refresh(self) -> None:
        self.refresh_pane()
        options = self.suggestions()
        started = any(m["role"] == "user" for m in self.chat.messages)
        if options:  # the first entry says what the list holds, so it never shows blank
            first = f"pick one of {len(options)} recorded message{'s' * (len(options) != 1)} that can be sent next"
        else:
            first = "none recorded from here on: Reset starts the recorded conversation again"
        self.suggestion_list.options = [(first, "")] + [(text, text) for text in options]
        self.suggestion_list.value = ""
        self.suggestion_list.layout.display = None if options or started and self.notebook else "none"


def _clear_notice_when_a_cell_runs(widget: ChatWidget) -> None:
    """In a notebook, a notice left by one cell (or click) is gone once another cell runs: after Run All,
    the pane shows the conversation, not a note about a cell the learner never ran by hand."""
    shell = running_shell()
    if shell is None:
        return
    ref = weakref.ref(widget)

    def before_cell(_info: object = None) -> None:
        current = ref()
        if current is None:
            shell.events.unregister("pre_run_cell", before_cell)
        elif current.notice:
            current.notice = ""
            current.refresh_pane()

    shell.events.register("pre_run_cell", before_cell)
