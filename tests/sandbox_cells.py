"""Lesson-style cells that nobody recorded, run by the sandbox tests with and without a sandbox.

Each is plain SDK code, as a learner would change a lesson cell; the tests run them in-process after
`setup()` and read what they print and return.
"""
from helpers import models

CHANGED_PROMPT = "What is the capital of Spain?"  # lesson 01 asks about Italy

UNRECORDED_CHAT = f"""
from openai import OpenAI
client = OpenAI()
response = client.chat.completions.create(
    model="{models.CHAT}",
    messages=[{{"role": "developer", "content": "Answer in one short sentence."}},
              {{"role": "user", "content": "{CHANGED_PROMPT}"}}],
    max_completion_tokens=24,
)
answer = response.choices[0].message.content
"""

UNRECORDED_STREAM = f"""
from openai import OpenAI
client = OpenAI()
stream = client.chat.completions.create(
    model="{models.CHAT}",
    messages=[{{"role": "user", "content": "{CHANGED_PROMPT}"}}],
    max_completion_tokens=24,
    stream=True,
)
pieces = [chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices]
answer = "".join(pieces)
"""


def run(cell: str) -> dict:
    """Run one cell's code; its variables."""
    namespace: dict = {}
    exec(compile(cell, "<cell>", "exec"), namespace)
    return namespace
