"""OpenAI's published OpenAPI spec (MIT), the part the kit uses, and a checker for recorded traffic."""
