"""The kit's helpers. Lessons use one line of it, `from helpers import setup; setup("NN_name")`.

Modules, one job each:
    modes        the setup cell: offline, live or record mode, and the banner
    session      the one seam: guards, the source of answers, pacing and listeners (docs/architecture.md)
    recordings   recorded answers: file format, matching, replay and the offline miss
    misses       the offline miss message: what differs, marked, and the recorded requests to pick instead
    sandbox      offline, a local model answers the chat requests nobody recorded (docs/sandbox.md)
    standin      an OpenAI-compatible stand-in server (tests; synthesized recordings)
    traffic      what guards and listeners see of each request and answer
    meter        calls, tokens and cost so far, and the budget guard
    tokens       offline token counting (tiktoken with bundled encodings)
    prices       prices per million tokens from the genai-prices snapshot
    models       every model the kit uses, and what the live API does with it (with sources)
    refusals     the API's answers to requests it refuses, worked out from the models
    lifecycle    what the installed SDK says about models and their shutdown dates
    pacing       replayed streams arrive event by event
    history      keeping a conversation's history short
    tracebacks   errors shown for a beginner: the learner's lines first, repeats as one line
    alt_text     charts and pictures described for a screen reader
    shell        the running IPython shell, for the display and event hooks
    widgets/     the lessons' widgets; exercises/  the exercise checks
    build        `python -m helpers.authoring.build`: navigation, recordings and stored outputs
    navigation   lesson headers, footers, launch links and the README's contents
    factsheet    docs/model-facts.md: the model facts and what each recording rests on
    classroom    schedules and nbgitpuller links (`python -m helpers.authoring.classroom`)
    preflight    `python -m helpers.preflight`: is this machine ready for a class?
    secrets      the scan for keys and auth headers (tests, pre-commit)
"""
from .modes import setup

__all__ = ["setup"]
