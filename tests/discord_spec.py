"""Discord's own OpenAPI description (../shared/discord/openapi.json) as a validator for what we send: schemas by
name for the unit tests; request bodies by route (`request_errors`) from bench/discord_double, which the e2e tests
and the bench share."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bench.discord_double.spec import SPEC_PATH as SPEC_PATH
from bench.discord_double.spec import request_errors as request_errors
from bench.discord_double.spec import spec

# Not in the spec; from Discord's documentation (application commands: naming and limits).
COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")
COMMAND_TEXT_MAX = 8000


def require_spec() -> None:
    if not SPEC_PATH.exists():
        pytest.skip(f"Discord's OpenAPI description is not at {SPEC_PATH} (shared/ is absent)")


def validate(schema_name: str, payload: Any) -> None:
    """Raise jsonschema.ValidationError when payload does not match components.schemas[schema_name]."""
    from jsonschema import Draft202012Validator

    require_spec()
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": spec()["components"]}
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
