"""Errors a user can fix: one French line naming the field, and the rule where one applies."""

from __future__ import annotations


class InvalidInput(Exception):
    """Bad input: the command stops, writes nothing and exits with code 2."""

    def __init__(self, field: str, message: str, rule: str | None = None) -> None:
        super().__init__(field, message, rule)
        self.field = field
        self.message = message
        self.rule = rule

    def __str__(self) -> str:
        text = f"{self.field} : {self.message}"
        return f"{text} ({self.rule})" if self.rule else text


class NotFound(InvalidInput):
    """A dossier, agency or person that the database does not hold."""
