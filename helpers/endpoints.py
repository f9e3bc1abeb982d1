"""The API paths the kit knows, as requests carry them: one place for each."""

CHAT = "/v1/chat/completions"
RESPONSES = "/v1/responses"
COMPLETIONS = "/v1/completions"
EMBEDDINGS = "/v1/embeddings"
MODERATIONS = "/v1/moderations"
IMAGES = "/v1/images/generations"
SPEECH = "/v1/audio/speech"
TRANSCRIPTIONS = "/v1/audio/transcriptions"
MODELS = "/v1/models"
FILES = "/v1/files"
VECTOR_STORES = "/v1/vector_stores"
BATCHES = "/v1/batches"
# Resources whose state changes between two reads (a batch in progress): a poll is answered in turn, not cycled.
POLLED = (BATCHES, VECTOR_STORES)
