"""Discord's own OpenAPI description (../shared/discord/openapi.json) as a validator for what the bot sends."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "discord" / "openapi.json"


def spec_available() -> bool:
    return SPEC_PATH.exists()


@cache
def spec() -> dict[str, Any]:
    """The parsed OpenAPI description (read once)."""
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


@cache
def _request_validator(method: str, template: str) -> Any:
    from jsonschema import Draft202012Validator

    operation = spec()["paths"][template][method]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": spec()["components"]})


def request_errors(method: str, template: str, body: Any) -> list[str]:
    """Errors of a request body against the JSON schema of `method template` in the spec ([] when valid)."""
    validator = _request_validator(method, template)
    return [f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(body)]
