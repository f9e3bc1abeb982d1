"""JupyterHub configuration for the OpenAI SDK teaching kit: every learner gets a key of their own.

Before a learner's server starts, the hub asks the class's LiteLLM proxy for a virtual key for that
learner (a LiteLLM user with its own budget) and puts it in the server's environment as
OPENAI_API_KEY, with OPENAI_BASE_URL pointing at the proxy. The real OpenAI key stays in the
proxy and the proxy's master key stays in the hub: a learner only ever holds a key that is theirs,
expires, and stops at their budget. If the proxy cannot be reached the server starts anyway, with
no key, and the lessons run offline from their recordings.

Where it goes:
  The Littlest JupyterHub   /opt/tljh/config/jupyterhub_config.d/openai-kit.py  (tljh-setup.md)
  Zero to JupyterHub        mounted by z2jh-values.yaml (hub.extraFiles.openai-kit), given with
                            --set-file hub.extraFiles.openai-kit.stringData=docs/classroom/hub_config.py

The hub's environment:
  KIT_LITELLM_URL      the proxy, as the hub and the learners' servers reach it (http://litellm:4000)
  LITELLM_MASTER_KEY   the proxy's master key (from a secret, never from a file in git)
  KIT_BUDGET_USD       each learner's budget in dollars (default 2)
  KIT_BUDGET_DURATION  when budgets start again (default 30d)
  KIT_KEY_DURATION     how long one key lasts (default 12h; each server start gets a fresh key)
  KIT_FOLDER           The Littlest JupyterHub: the kit's folder in a learner's home, as nbgitpuller names it
                       (the repository's name). Unset, it is the name of the kit checkout this file sits in
                       (its docs/classroom/), so a renamed fork needs nothing; a copy of this file kept
                       outside a checkout needs it set.
"""
import json
import os
from pathlib import Path

from tornado.httpclient import AsyncHTTPClient, HTTPRequest


def kit_folder(environ=os.environ) -> str | None:
    """The folder nbgitpuller copies the kit into: named after the repository, which is the checkout's name."""
    named = environ.get("KIT_FOLDER", "").strip().strip("/")
    if named:
        return named
    here = Path(globals().get("__file__") or ".").resolve()  # JupyterHub's config loader sets __file__
    if here.parent.name == "classroom" and here.parent.parent.name == "docs":
        return here.parents[2].name
    return None


KIT_FOLDER = kit_folder()
# The models a learner's key may call: the kit's models (helpers/models.py; a test checks they agree).
KIT_MODELS = ["gpt-6-luna", "gpt-5.4-mini", "gpt-6-sol", "text-embedding-3-small",
              "omni-moderation-latest", "gpt-transcribe", "gpt-4o-mini-tts", "gpt-image-2"]
# Shut-down names lessons call to show the API's 404 (helpers/models.py SHUT_DOWN): nothing is billed.
SHUT_DOWN_MODELS = ["gpt-4", "gpt-3.5-turbo", "text-davinci-003", "gpt-3.5-turbo-instruct", "dall-e-3", "dall-e-2"]

try:
    from tljh.normalize import generate_system_username
except ImportError:  # Zero to JupyterHub: the image's own install of the kit already points at ~/openai-sdk-kit
    generate_system_username = None


async def _ask_proxy(proxy: str, master_key: str, path: str, body: dict) -> tuple[int, dict]:
    request = HTTPRequest(f"{proxy}{path}", method="POST", body=json.dumps(body), request_timeout=10,
                          headers={"Authorization": f"Bearer {master_key}", "Content-Type": "application/json"})
    response = await AsyncHTTPClient().fetch(request, raise_error=False)
    try:
        return response.code, json.loads(response.body or b"{}")
    except ValueError:
        return response.code, {}


async def learner_key(proxy: str, master_key: str, learner: str) -> str:
    """A fresh virtual key for the learner; their LiteLLM user (and budget) is made on their first start."""
    budget = float(os.environ.get("KIT_BUDGET_USD", "2"))
    limits = {"models": KIT_MODELS + SHUT_DOWN_MODELS, "max_budget": budget}
    # Fails harmlessly once the user exists: the budget belongs to the user, so a restart never resets it.
    await _ask_proxy(proxy, master_key, "/user/new", {
        "user_id": learner, "user_role": "internal_user", "auto_create_key": False,
        "budget_duration": os.environ.get("KIT_BUDGET_DURATION", "30d"), **limits})
    status, answer = await _ask_proxy(proxy, master_key, "/key/generate", {
        "user_id": learner, "duration": os.environ.get("KIT_KEY_DURATION", "12h"),
        "metadata": {"issued_by": "jupyterhub"}, **limits})
    if status != 200 or not answer.get("key"):
        raise RuntimeError(f"the proxy answered {status} to /key/generate")
    return answer["key"]


async def give_learner_a_key(spawner) -> None:
    """pre_spawn_hook: put the learner's own key and the proxy's address into their server's environment."""
    learner = spawner.user.name
    environment = spawner.environment = dict(spawner.environment)  # this server's copy, not the class default
    if generate_system_username is not None:  # The Littlest JupyterHub: homes are /home/jupyter-<name>
        home = "/home/" + generate_system_username("jupyter-" + learner)
        if KIT_FOLDER:
            environment.setdefault("PYTHONPATH", f"{home}/{KIT_FOLDER}")  # so `import helpers` finds the kit
        else:
            spawner.log.warning("KIT_FOLDER is not set and this file is not in a kit checkout: "
                                "%s's kernels import the shared install of the kit", learner)
    proxy = os.environ.get("KIT_LITELLM_URL", "").rstrip("/")
    master_key = os.environ.get("LITELLM_MASTER_KEY", "")
    if not proxy or not master_key:
        spawner.log.warning("KIT_LITELLM_URL or LITELLM_MASTER_KEY is not set: %s works offline", learner)
        return
    try:
        environment["OPENAI_API_KEY"] = await learner_key(proxy, master_key, learner)
    except Exception as error:  # a class must start even when the proxy is down; the kit then works offline
        spawner.log.warning("No API key for %s (%s): their lessons run offline", learner, error)
        return
    environment.setdefault("OPENAI_BASE_URL", f"{proxy}/v1")


c = get_config()  # noqa: F821 - defined while JupyterHub loads its configuration
c.Spawner.pre_spawn_hook = give_learner_a_key
