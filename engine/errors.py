"""Errors that teach: each names what was not understood and what would be."""

from __future__ import annotations


class RigfitError(ValueError):
    """A user-facing problem with the input. `message` is one line, safe to show as is."""

    def __init__(self, message: str, *, field: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.suggestions = suggestions

    def __str__(self) -> str:
        if self.suggestions:
            return f"{self.message} Did you mean: {', '.join(self.suggestions)}?"
        return self.message
