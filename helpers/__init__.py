"""The kit's helpers. Lessons use one line of it, `from helpers import setup; setup("NN_name")`.

What learners import, one job per module (what authors and CI run is in `helpers/authoring/`):

  The session, from the setup cell to each answer (docs/architecture.md)
    modes         the setup cell: offline, live or record mode, and the banner
    session       the one seam: guards, the source of answers, pacing and listeners
    recordings    replay and record: the file format, matching, saving, the offline miss
    misses        the offline miss message: what differs, marked, and the recorded requests to pick instead
    sandbox       offline, a local model answers the chat requests nobody recorded (docs/sandbox.md)
    pacing        replayed streams arrive event by event
    traffic       what guards and listeners see of each request and answer
    before_setup  a one-line hint for a cell run before the setup cell
  What the API does, in one place each
    models        every model the kit uses, and what the live API does with it (with sources)
    refusals      the API's answers to requests it refuses, worked out from the models
    lifecycle     what the installed SDK says about models and their shutdown dates
    endpoints     the API paths
    keys          what a key looks like, and how the kit hides one
  Tokens and money
    meter         calls, tokens and cost so far, and the budget guard
    tokens        offline token counting (tiktoken with bundled encodings)
    vision        what an image in a prompt costs in tokens
    prices        prices per million tokens from the genai-prices snapshot
    history       keeping a conversation's history short
  What a learner sees
    widgets/      the lessons' widgets
    exercises/    the exercise checks
    tracebacks    errors shown for a beginner: the learner's lines first, repeats as one line
    proxy_errors  what to do about an error from a class's LiteLLM proxy
    alt_text      charts and pictures described for a screen reader
    shell         the running IPython shell, for the display and event hooks
  The machine
    paths         where the kit keeps its files
    authoring/    what authors and CI run: the stand-in, the build, the checks (its own list)
    preflight     `python -m helpers.preflight`: is this machine ready for a class?
"""
from .modes import setup

__all__ = ["setup"]
