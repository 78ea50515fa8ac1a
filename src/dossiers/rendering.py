"""Jinja2 templates shipped in the package (top-level templates/ of the repository): strict, with
the French formatting filters. With a user's own templates (`[mail] templates`), every template
is rendered in Jinja2's sandbox: they may read the values they are given, never reach Python's
internals. The shipped templates alone, the project's own code, are rendered without it."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import (
    BaseLoader, ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined,
    select_autoescape,
)
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from dossiers import messages
from dossiers.errors import InvalidInput


def css_string(text: str) -> Markup:
    """A quoted CSS string: anything but letters, digits and spaces as a CSS escape, so that
    no name can close the string or the <style> element."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in str(text))
    return Markup(f'"{escaped}"')


@lru_cache(maxsize=4)
def environment(custom_dir: str | None = None) -> Environment:
    """Templates from `custom_dir` first (a user's own folder), else the shipped ones.

    One environment per folder and process: each template is read and compiled once, the
    first time it is used (a command does not see a template edited while it runs)."""
    loader: BaseLoader = PackageLoader("dossiers", "templates")
    # The sandbox is for a user's templates; the shipped ones alone are the project's code, and
    # its attribute checks were a third of `remind`'s time (one per value a reminder line reads).
    kind = Environment
    if custom_dir:
        loader = ChoiceLoader([FileSystemLoader(custom_dir), loader])
        kind = SandboxedEnvironment
    env = kind(
        loader=loader,
        autoescape=select_autoescape(["html", "htm", "xml", "html.j2", "htm.j2", "xml.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # Not a file check per template use (an include per reminder line): once per process.
        auto_reload=False,
    )
    env.filters.update(
        short_date=messages.short_date,
        long_date=messages.long_date,
        hours=messages.hours,
        euros=messages.euros,
        number=messages.number,
        plural=messages.plural,
        css_string=css_string,
    )
    env.globals.update(
        KIND_LABELS=messages.KIND_LABELS,
        STATE_LABELS=messages.STATE_LABELS,
        CONTRACT_LABELS=messages.CONTRACT_LABELS,
        PROGRAMME_LABELS=messages.PROGRAMME_LABELS,
        ZONE_LABELS=messages.ZONE_LABELS,
    )
    return env


def render(template: str, custom_dir: str | None = None, **context: Any) -> str:
    """The template rendered; InvalidInput when it tries what the sandbox forbids (a
    method's globals, a private attribute): nothing of it runs; InvalidInput too when a
    template (a user's own, most likely) names a value it is not given or does not parse."""
    try:
        return environment(custom_dir).get_template(template).render(**context)
    except SecurityError as error:
        raise InvalidInput(f"gabarit {template}", messages.template_forbidden(error)) from None
    except UndefinedError as error:
        raise InvalidInput(f"gabarit {template}", messages.template_undefined(error)) from None
    except TemplateSyntaxError as error:
        raise InvalidInput(f"gabarit {error.name or template}",
                           messages.template_syntax(error.message, error.lineno)) from None
