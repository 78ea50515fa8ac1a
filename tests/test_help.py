"""Every command and subcommand explains itself in French and shows at least one example, and
the examples run as written on the demo network (`dossiers sample`)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dossiers.cli import cli

DEMO_DAY = "2026-11-23"
"""The day the demo network is loaded at; examples without --as-of are run on that day."""
DEMO_SENDER = "Suivi des dossiers <dossiers@interim-exemple.fr>"

NOT_RUNNABLE = {
    "dossiers import dossiers.csv": "needs the user's CSV file",
    "dossiers --config /etc/dossiers.toml remind --transport smtp": "needs a configured SMTP server",
    "dossiers serve": "serves until stopped (tests/test_web_browser.py serves the app)",
    "dossiers serve --port 8080 --base-url https://dossiers.interim-exemple.fr":
        "serves until stopped (tests/test_web_browser.py serves the app)",
    "dossiers --config /etc/dossiers.toml outbox deliver": "needs a configured SMTP server",
    'dossiers agency grant "Lyon Part-Dieu" --role lyon --password-file lyon.secret':
        "needs PostgreSQL, a password file and a cluster-wide role (tests/test_row_security.py)",
    "dossiers agency grant --all --role reseau --password-file reseau.secret":
        "needs PostgreSQL, a password file and a cluster-wide role (tests/test_row_security.py)",
    'dossiers agency revoke "Lyon Part-Dieu" --role lyon':
        "needs PostgreSQL and a granted role (tests/test_row_security.py)",
    "dossiers access check": "needs PostgreSQL with agency roles (tests/test_row_security.py)",
}
NEEDS_WEASYPRINT = {"dossiers report overdue --format pdf -o retards.pdf"}
"""Run where WeasyPrint works; skipped (saying so) where it does not, except under CI."""


def weasyprint_missing() -> str | None:
    """Why WeasyPrint cannot run here, or None. Under CI it must: the reason is an error."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        if os.environ.get("CI") == "true":
            raise
        return f"WeasyPrint inutilisable ici (Pango absent ?) : {error}"
    return None


def all_commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += all_commands(command, (*path, name))
        else:
            found.append((*path, name))
    return found


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return command


def leaf_of(args: list[str]) -> click.Command:
    """The command that a command line runs."""
    command: click.Command = cli
    for word in args:
        if isinstance(command, click.Group) and word in command.commands:
            command = command.commands[word]
    return command


def examples(help_text: str) -> list[str]:
    """The `dossiers …` lines of the `Exemple :` or `Exemples :` block of a docstring: the rest of
    its paragraph after « Exemple : », or one line each under a bare « Exemples : »."""
    lines = help_text.replace("\b", "").splitlines()
    for index, line in enumerate(lines):
        found = re.match(r"\s*Exemples? :\s*(.*)$", line)
        if not found:
            continue
        block = []
        for following in lines[index + 1:]:
            if not following.strip():
                break
            block.append(following.strip())
        if found.group(1):
            return [" ".join([found.group(1), *block])]
        return block
    return []


def test_examples_are_read_from_one_line_a_paragraph_or_a_list() -> None:
    assert examples("Fait.\n\nExemple : dossiers list\n--overdue\n\nSuite.") == [
        "dossiers list --overdue"]
    assert examples("Fait.\n\n\bExemples :\n  dossiers a\n  dossiers b\n") == [
        "dossiers a", "dossiers b"]
    assert examples("Fait, sans exemple.") == []


COMMANDS = all_commands(cli)
EXAMPLES = [(path, line) for path in COMMANDS for line in examples(command_at(path).help or "")]


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "dossiers")
def test_every_command_has_a_french_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0
    assert result.output.startswith("Utilisation : dossiers")
    assert "Options :" in result.output and "Affiche cette aide et quitte." in result.output
    for english in ("Usage:", "Options:", "Show this message", "[required]", "[default"):
        assert english not in result.output
    assert re.search(r"^  Exemples? :[ \n]\s*dossiers ", result.output, re.MULTILINE), result.output
    found = examples(command_at(path).help or "")
    assert found and all(line.startswith("dossiers ") for line in found), found


@pytest.fixture(scope="module")
def demo_network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo network in a SQLite file, built once and copied for each example."""
    path = tmp_path_factory.mktemp("demo") / "dossiers.db"
    for args in (["init"], ["sample", "--as-of", DEMO_DAY]):
        result = CliRunner().invoke(cli, ["--db", f"sqlite:///{path}", *args],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize(("path", "line"), EXAMPLES, ids=lambda value: value if isinstance(
    value, str) else " ".join(value) or "dossiers")
def test_every_example_runs_as_written_on_the_demo_network(
        path: tuple[str, ...], line: str, database_url: str, demo_network: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    if line in NOT_RUNNABLE:
        pytest.skip(NOT_RUNNABLE[line])
    if line in NEEDS_WEASYPRINT and (reason := weasyprint_missing()):
        pytest.skip(reason)
    monkeypatch.chdir(tmp_path)
    # The environment of `make demo`.
    runner = CliRunner(env={"DOSSIERS_DB": database_url, "DOSSIERS_MAIL_FROM": DEMO_SENDER})
    parts = [shlex.split(part) for part in line.split(" && ")]
    builds_the_network = any(word in ("init", "sample") for part in parts for word in part)
    setup = [["init"]] if builds_the_network else [["init"], ["sample", "--as-of", DEMO_DAY]]
    if setup[-1][0] == "sample" and database_url.startswith("sqlite:///"):
        shutil.copyfile(demo_network, database_url.removeprefix("sqlite:///"))
    else:
        for args in setup:
            assert runner.invoke(cli, args, catch_exceptions=False).exit_code == 0
    for words in parts:
        assert words[0] == "dossiers"
        args = words[1:]
        if "--as-of" not in args and any(p.name == "as_of" for p in leaf_of(args).params):
            args = [*args, "--as-of", DEMO_DAY]
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, f"{line}\n{result.output}"


def test_version_names_the_package_its_rule_sets_and_the_holidays_release() -> None:
    import holidays

    from dossiers.deadlines.rulesets import RULE_SETS

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert list(RULE_SETS) == ["akto-current", "akto-2021"]
    assert result.output == (f"dossiers {version('dossiers')} — jeux de règles : akto-current, "
                             f"akto-2021 — holidays {holidays.__version__}\n")


def test_version_answers_from_the_installed_entry_point_without_a_database(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "dossiers", "--version"], capture_output=True,
                            text=True, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"dossiers {version('dossiers')} — jeux de règles : ")
    assert not list(tmp_path.iterdir())
