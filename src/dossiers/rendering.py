"""Jinja2 templates shipped in dossiers/templates: strict, with the French formatting filters."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from dossiers import messages


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("dossiers", "templates"),
        autoescape=select_autoescape(["html", "htm", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(
        short_date=messages.short_date,
        long_date=messages.long_date,
        hours=messages.hours,
    )
    env.globals.update(
        KIND_LABELS=messages.KIND_LABELS,
        STATE_LABELS=messages.STATE_LABELS,
        CONTRACT_LABELS=messages.CONTRACT_LABELS,
        PROGRAMME_LABELS=messages.PROGRAMME_LABELS,
    )
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
