"""Discord's own OpenAPI description (../shared/discord/openapi.json) as a validator for what we send."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

SPEC_PATH = Path(__file__).resolve().parents[2] / "shared" / "discord" / "openapi.json"
# Not in the spec; from Discord's documentation (application commands: naming and limits).
COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")
COMMAND_TEXT_MAX = 8000


@cache
def _spec() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


def require_spec() -> None:
    if not SPEC_PATH.exists():
        pytest.skip(f"Discord's OpenAPI description is not at {SPEC_PATH} (shared/ is absent)")


def validate(schema_name: str, payload: Any) -> None:
    """Raise jsonschema.ValidationError when payload does not match components.schemas[schema_name]."""
    from jsonschema import Draft202012Validator

    require_spec()
    spec = _spec()
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
    Draft202012Validator(root).validate(payload)


def command_text_chars(command: dict[str, Any]) -> int:
    """Name, description and choice values of a command and all its options, summed (Discord's 8000 rule)."""
    total = len(command.get("name", "")) + len(command.get("description", ""))
    for option in command.get("options", []) or []:
        total += command_text_chars(option)
        total += sum(
            len(str(c.get("name", ""))) + len(str(c.get("value", ""))) for c in option.get("choices", []) or []
        )
    return total


@cache
def _request_validator(method: str, template: str) -> Any:
    from jsonschema import Draft202012Validator

    spec = _spec()
    operation = spec["paths"][template][method]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": spec["components"]})


def request_errors(method: str, template: str, body: Any) -> list[str]:
    """Errors of a request body against the JSON schema of `method template` in the spec ([] when valid)."""
    validator = _request_validator(method, template)
    return [f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(body)]
