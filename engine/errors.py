"""Errors that teach: each names what was not understood and what would be, with a typed code to branch on."""

from __future__ import annotations

import re
from enum import StrEnum


class ErrorCode(StrEnum):
    """What went wrong, for callers to branch on (never on the message's words)."""

    INVALID_INPUT = "invalid-input"  # the generic code: anything not named below
    INPUT_TOO_LONG = "input-too-long"
    # hardware phrases
    HARDWARE_MISSING = "hardware-missing"
    HARDWARE_NOT_FOUND = "hardware-not-found"  # no device name or memory size in the phrase
    NEGATIVE_SIZE = "negative-size"
    SIZE_OUT_OF_RANGE = "size-out-of-range"
    COUNT_OUT_OF_RANGE = "count-out-of-range"  # `0x 10GB`, `99x 3090`: a number of devices or nodes out of range
    DEVICE_AMBIGUOUS = "device-ambiguous"
    DEVICE_UNKNOWN = "device-unknown"
    SIZE_NOT_SOLD = "size-not-sold"  # a machine or card not sold with the memory size given
    NO_UNIFIED_OF_SIZE = "no-unified-of-size"
    CONFLICTING_HARDWARE = "conflicting-hardware"  # a GPU and "no GPU", two unified machines, a Mac with GPUs
    PLATFORM_SIZE_MISSING = "platform-size-missing"
    # models
    MODEL_MISSING = "model-missing"
    MODEL_AMBIGUOUS = "model-ambiguous"
    MODEL_UNKNOWN = "model-unknown"
    PARAMS_OUT_OF_RANGE = "params-out-of-range"
    MODEL_NOT_GENERATIVE = "model-not-generative"  # an embedding or reranker model: it generates no tokens
    # options
    CONTEXT_UNREADABLE = "context-unreadable"
    CONTEXT_BELOW_ONE = "context-below-one"
    CONTEXT_OVER_MAX = "context-over-max"  # `limit`: the model's maximum context in tokens
    QUANT_UNKNOWN = "quant-unknown"
    QUANT_NOT_SIZABLE = "quant-not-sizable"
    KV_TYPE_UNKNOWN = "kv-type-unknown"
    PROMPT_OUT_OF_RANGE = "prompt-out-of-range"


# Bidirectional-text controls (U+202A-U+202E, U+2066-U+2069) and marks (U+200E, U+200F): an input quoted back with one
# of them would reorder the rest of the reply as shown
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def one_line(message: str) -> str:
    """A message as one line: the input it quotes keeps its words, loses its line breaks and bidi controls."""
    return " ".join(_BIDI_CONTROLS.sub("", message).split())


class RigfitError(ValueError):
    """A user-facing problem with the input. `message` is one line, safe to show as is; `code` says what kind of
    problem it is and `limit`, where the code has one, the figure it was held to."""

    def __init__(
        self,
        message: str,
        *,
        field: str,
        suggestions: tuple[str, ...] = (),
        code: ErrorCode = ErrorCode.INVALID_INPUT,
        limit: int | None = None,
    ) -> None:
        message = one_line(message)
        super().__init__(message)
        self.message = message
        self.field = field
        self.suggestions = suggestions
        self.code = code
        self.limit = limit

    def __str__(self) -> str:
        if self.suggestions:
            return f"{self.message} Did you mean: {', '.join(self.suggestions)}?"
        return self.message
