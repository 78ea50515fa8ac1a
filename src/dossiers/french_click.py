"""Click, in French: help headings, parameter types and one-line error messages.

Click's own texts are English; users read French. Errors become one line on
stderr, « Erreur : … », with exit code 2 for anything the user typed wrong.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from typing import Any, NoReturn

import click
from click.shell_completion import CompletionItem

from dossiers import messages
from dossiers.errors import InvalidInput
from dossiers.parsing import (
    EMAIL_LENGTH, MAX_COUNT, MAX_DAYS, NAME_LENGTH, REFERENCE_LENGTH, TEXT_LENGTH, parse_amount,
    parse_choice, parse_count, parse_date, parse_hours, parse_percent, parse_text,
)

HEADINGS = {"Options": "Options", "Commands": "Commandes", "Arguments": "Arguments"}
HELP_EXTRAS = (("[required]", "[obligatoire]"), ("[default: ", "[défaut : "),
               ("; required]", " ; obligatoire]"), ("default: ", "défaut : "))
METAVARS = (" TEXT", " TEXTE"), (" PATH", " CHEMIN")


# Click wraps help text at hyphens too (a rule id cut after its second hyphen): while it
# wraps, a hyphen travels as a non-breaking hyphen, which `getvalue` gives back.
_HYPHEN, _NON_BREAKING_HYPHEN = "-", "\u2011"


class FrenchFormatter(click.HelpFormatter):
    """Click's help formatter, in French, breaking lines only at spaces."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog.replace(_HYPHEN, _NON_BREAKING_HYPHEN),
                            args.replace(_HYPHEN, _NON_BREAKING_HYPHEN),
                            prefix or "Utilisation : ")

    def write_text(self, text: str) -> None:
        super().write_text(text.replace(_HYPHEN, _NON_BREAKING_HYPHEN))

    def getvalue(self) -> str:
        return super().getvalue().replace(_NON_BREAKING_HYPHEN, _HYPHEN)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)} :\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        translated = []
        for term, text in rows:
            for english, french in METAVARS:
                term = term.replace(english, french)
            for english, french in HELP_EXTRAS:
                text = text.replace(english, french)
            translated.append((term, text.replace(_HYPHEN, _NON_BREAKING_HYPHEN)))
        super().write_dl(translated, col_max, col_spacing)


class FrenchContext(click.Context):
    formatter_class = FrenchFormatter


def _french_help_option(command: click.Command, ctx: click.Context) -> click.Option | None:
    names = command.get_help_option_names(ctx)
    if not names or not command.add_help_option:
        return None

    def show_help(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value and not ctx.resilient_parsing:
            click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit()

    return click.Option(names, is_flag=True, is_eager=True, expose_value=False,
                        callback=show_help, help="Affiche cette aide et quitte.")


class FrenchCommand(click.Command):
    context_class = FrenchContext

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _french_help_option(self, ctx)


class FrenchGroup(click.Group):
    context_class = FrenchContext
    command_class = FrenchCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "COMMANDE [ARGUMENTS]...")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _french_help_option(self, ctx)

    def resolve_command(self, ctx: click.Context, args: list[str]):  # type: ignore[no-untyped-def]
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            raise click.UsageError(
                f"commande inconnue « {name} » (voir « {ctx.command_path} --help »)", ctx)
        return super().resolve_command(ctx, args)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             **extra: Any) -> Any:
        extra.pop("standalone_mode", None)
        try:
            code = super().main(args, prog_name, standalone_mode=False, **extra)
            sys.stdout.flush()
        except OutputFailed as failed:
            _silence_stdout()
            fail(messages.stdout_failed(failed.error), 1)
        except SystemExit:
            # What a command printed before it stopped must not fail again at exit.
            try:
                sys.stdout.flush()
            except (OSError, OutputFailed):
                _silence_stdout()
            raise
        except click.exceptions.NoArgsIsHelpError as error:
            assert error.ctx is not None
            click.echo(error.ctx.get_help())
            sys.exit(0)
        except click.UsageError as error:
            fail(usage_error_text(error))
        except InvalidInput as error:
            fail(str(error))
        except click.ClickException as error:
            fail(error.format_message(), error.exit_code)
        except click.Abort:
            click.echo("Interrompu.", err=True)
            sys.exit(1)
        except Exception as error:
            # The database refused (locked, unreachable, constraint): one line, not a traceback.
            if not type(error).__module__.startswith("sqlalchemy"):
                raise
            orig = getattr(error, "orig", None) or error
            fail(f"base de données : {str(orig).splitlines()[0]}", 1)
        sys.exit(code if isinstance(code, int) else 0)


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"Erreur : {mask_secrets(message)}", err=True)
    sys.exit(code)


SECRETS: set[str] = set()
"""Passwords this process was given (the database URL's): never printed, whatever says them."""


def keep_secret(secret: str | None) -> None:
    if secret:
        SECRETS.add(secret)


def mask_secrets(text: str) -> str:
    for secret in sorted(SECRETS, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


class OutputFailed(Exception):
    """Standard output was closed (`| head -1`) or is full (`> /dev/full`)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


class _GuardedStdout(io.FileIO):
    """Standard output's file descriptor, whose failed writes say that they are its own."""

    def write(self, data: Any) -> int | None:
        try:
            return super().write(data)
        except OSError as error:
            raise OutputFailed(error) from None


def guard_stdout() -> None:
    """`dossiers` as a program: a write refused by standard output (a closed pipe, a full
    disk) raises OutputFailed, which `main` turns into one French line and exit code 1."""
    try:
        descriptor = sys.stdout.fileno()
        sys.stdout.flush()
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return
    previous = sys.stdout
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(_GuardedStdout(descriptor, "wb", closefd=False)),
        encoding=previous.encoding, errors=previous.errors,
        line_buffering=previous.line_buffering)


def _silence_stdout() -> None:
    """Point the standard output at /dev/null, so that what its buffer still holds is not
    written (and refused) once more when the process ends."""
    try:
        descriptor = os.open(os.devnull, os.O_WRONLY)
        os.dup2(descriptor, sys.stdout.fileno())
        os.close(descriptor)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def usage_error_text(error: click.UsageError) -> str:
    if isinstance(error, click.NoSuchOption):
        return f"option inconnue « {error.option_name} »"
    if isinstance(error, click.MissingParameter):
        return f"{_hint(error.param)} : valeur obligatoire manquante"
    if isinstance(error, click.BadParameter):
        return f"{_hint(error.param)} : {error.message}"
    if isinstance(error, click.BadOptionUsage):
        return f"option « {error.option_name} » : valeur manquante ou mal placée"
    message = error.message
    if message.startswith("Got unexpected extra argument"):
        return "argument en trop : " + message.split("(", 1)[-1].rstrip(")")
    return message


def _hint(param: click.Parameter | None) -> str:
    if param is None:
        return "valeur"
    if isinstance(param, click.Option):
        return param.opts[0]
    return param.metavar or (param.name or "argument").upper()


class DateType(click.ParamType):
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_date(_hint(param), str(value))
        except InvalidInput as error:
            self.fail(error.message, param, ctx)


class HoursType(click.ParamType):
    name = "HEURES"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Fraction:
        if isinstance(value, Fraction):
            return value
        try:
            return parse_hours(_hint(param), str(value))
        except InvalidInput as error:
            self.fail(error.message, param, ctx)


class AmountType(click.ParamType):
    name = "EUROS"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Fraction:
        if isinstance(value, Fraction):
            return value
        try:
            return parse_amount(_hint(param), str(value))
        except InvalidInput as error:
            self.fail(error.message, param, ctx)


class PercentType(click.ParamType):
    """« 30 », « 32,5 % »: returned as a share of 0 … 1."""

    name = "POURCENT"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Fraction:
        if isinstance(value, Fraction):
            return value
        try:
            return parse_percent(_hint(param), str(value))
        except InvalidInput as error:
            self.fail(error.message, param, ctx)


class CountType(click.ParamType):
    """A whole number, from zero to a maximum."""

    name = "N"

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_count(_hint(param), str(value), self.limit)
        except InvalidInput as error:
            self.fail(error.message, param, ctx)


class TextType(click.ParamType):
    """Text trimmed, without control characters, of bounded length."""

    name = "TEXT"

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return parse_text(_hint(param), str(value), self.limit)
        except InvalidInput as error:
            self.fail(error.message, param, ctx)


class ChoiceType(click.ParamType):
    """One code among a few, with the French meaning of each in --help."""

    def __init__(self, choices: dict[str, str]) -> None:
        self.choices = choices
        self.name = "|".join(choices)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(self.choices) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return parse_choice(_hint(param), str(value), self.choices)
        except InvalidInput as error:
            self.fail(error.message, param, ctx)

    def shell_complete(self, ctx: click.Context, param: click.Parameter,
                       incomplete: str) -> list[CompletionItem]:
        """The codes that start with what is typed, with their French meaning (zsh, fish)."""
        return [CompletionItem(code, help=label if label != code else None)
                for code, label in self.choices.items() if code.startswith(incomplete)]


DATE = DateType()
HOURS = HoursType()
AMOUNT = AmountType()
COUNT = CountType(MAX_COUNT)
DAYS = CountType(MAX_DAYS)
PERCENT = PercentType()
NAME = TextType(NAME_LENGTH)
EMAIL = TextType(EMAIL_LENGTH)
REFERENCE = TextType(REFERENCE_LENGTH)
TEXT = TextType(TEXT_LENGTH)
