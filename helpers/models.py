"""Every model the kit uses, in one place.

Lessons spell model names out (that is what a learner's own code does); a test checks that each
name a lesson uses is listed here, known to the installed SDK and not past its shutdown date.
"""

CHAT = "gpt-6-luna"  # cheapest current chat model
CHAT_LARGER = "gpt-5.4-mini"
INSTRUCT = "gpt-3.5-turbo-instruct"  # the one model left on the legacy completions endpoint
EMBEDDING = "text-embedding-3-small"
MODERATION = "omni-moderation-latest"
TRANSCRIBE = "gpt-transcribe"
SPEECH = "gpt-4o-mini-tts"
IMAGE = "gpt-image-2"

# Names the old guides use that are shut down, with what replaces them. Lessons show them failing.
SHUT_DOWN = {
    "gpt-4": CHAT,
    "gpt-3.5-turbo": CHAT,
    "text-davinci-003": INSTRUCT,
    "dall-e-3": IMAGE,
    "dall-e-2": IMAGE,
}

KIT_MODELS = (CHAT, CHAT_LARGER, INSTRUCT, EMBEDDING, MODERATION, TRANSCRIBE, SPEECH, IMAGE)
