"""An OpenAI-compatible stand-in server on 127.0.0.1, for tests and for synthesizing recordings.

It answers the endpoints the lessons call, in each endpoint's exact wire format, from the answer
scripts in data/standin/*.json (format: data/standin/README.md); a request no rule matches gets a
generic answer and is noted in `unmatched`. Every varying value (ids, timestamps, logprobs) is
derived from a hash of the request and embedding vectors come from a fixed model, so a rerun gives
the same answers, and every
response carries `x-kit-standin: synthesized` so recordings made from it say where they came from.
What the live API refuses (helpers.refusals) it refuses too.

    server       the HTTP server and the routing       rules      the answer scripts
    chat, responses, completions, embeddings, moderations, images, audio, catalogue   one module per endpoint
    files, vector_stores, batches   endpoints whose objects the server keeps while it runs
    file_search  the file_search tool of responses
    wire         errors, JSON and events; seeded values   text, media   answer text and synthesized media
    minilm       all-MiniLM-L6-v2 in numpy: the embeddings' meaning

    python -m helpers.authoring.standin [--port N]
"""
from .usage import REASONING_TOKENS
from .moderations import MODERATION_CATEGORIES
from .rules import load_scripts
from .server import StandIn, main
from .text import strict_schema_problem

__all__ = ["MODERATION_CATEGORIES", "REASONING_TOKENS", "StandIn", "load_scripts", "main", "strict_schema_problem"]
