"""`python -m bff.openapi > frontend/openapi.json`: prints the BFF's OpenAPI document.

Needs no environment and opens no connection: the document does not depend on settings.
"""

from __future__ import annotations

import sys

import orjson
from pydantic import SecretStr

from bff.config import Settings
from bff.main import create_app

PLACEHOLDER_SECRET = "openapi-generation-only-" + "x" * 16


def document() -> bytes:
    app = create_app(Settings(identity_secret=SecretStr(PLACEHOLDER_SECRET)))
    return orjson.dumps(app.openapi(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


if __name__ == "__main__":
    sys.stdout.buffer.write(document())
