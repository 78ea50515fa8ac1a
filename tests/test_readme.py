"""The README's command examples run as written: the tour of the commands on a new database,
the others (reports, calendars, reminders) on the demo network."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossiers.cli import cli
from tests.test_help import DEMO_DAY, DEMO_SENDER, leaf_of, weasyprint_missing

README = Path(__file__).resolve().parent.parent / "README.md"

NOT_RUNNABLE = {"dossiers serve": "serves until stopped"}
NEEDS_WEASYPRINT = "--format pdf"
"""Run where WeasyPrint works, and always under CI (tests/test_help.weasyprint_missing)."""
SHARED_FOLDER = "/srv/partage/agendas/"
"""The calendar examples write to a server's shared folder: the test writes to a temporary one."""


def sh_blocks() -> list[list[list[str]]]:
    """Each ```sh block of the README that runs `dossiers`, as its command lines (words),
    continuation lines joined and comments dropped."""
    blocks = []
    for block in re.findall(r"^```sh\n(.*?)^```", README.read_text(encoding="utf-8"),
                            re.MULTILINE | re.DOTALL):
        commands = [shlex.split(line, comments=True)
                    for line in block.replace("\\\n", " ").splitlines()]
        commands = [words for words in commands if words]
        if commands and all(words[0] == "dossiers" for words in commands):
            blocks.append(commands)
    return blocks


def run_block(commands: list[list[str]], shared: Path | None = None) -> None:
    runner = CliRunner(env={"DOSSIERS_MAIL_FROM": DEMO_SENDER})
    for words in commands:
        line = " ".join(words)
        if any(marker in line for marker in NOT_RUNNABLE):
            continue
        if NEEDS_WEASYPRINT in line and weasyprint_missing():
            continue
        args = [word.replace(SHARED_FOLDER, f"{shared}/") if shared else word
                for word in words[1:]]
        if "--as-of" not in args and any(p.name == "as_of" for p in leaf_of(args).params):
            args = [*args, "--as-of", DEMO_DAY]
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, f"{line}\n{result.output}"


def test_the_readme_has_the_blocks_this_test_runs() -> None:
    firsts = [block[0][:2] for block in sh_blocks()]
    assert firsts[0] == ["dossiers", "init"]
    assert {"report", "remind"} <= {words[1] for words in firsts[1:]}


def test_the_tour_of_the_commands_runs_in_order_on_a_new_database(
        database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOSSIERS_DB", database_url)
    run_block(sh_blocks()[0])


def test_the_other_examples_run_on_the_demo_network(
        database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        smtp) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOSSIERS_DB", database_url)
    run_block([["dossiers", "init"], ["dossiers", "sample"]])
    shared = tmp_path / "agendas"
    shared.mkdir()
    for block in sh_blocks()[1:]:
        run_block(block, shared)


def test_the_demo_database_is_named_by_an_absolute_path_valid_from_any_folder() -> None:
    """A relative `sqlite:///demo/dossiers.db` names another file from another folder."""
    text = README.read_text(encoding="utf-8")
    exports = re.findall(r"^export DOSSIERS_DB=(sqlite\S+|\S+sqlite\S+)", text, re.MULTILINE)
    assert exports == ['"sqlite:///$PWD/demo/dossiers.db"']
    assert not re.search(r"(?<![/\w])\.venv/bin/dossiers", text)  # relative to one folder
    makefile = (README.parent / "Makefile").read_text(encoding="utf-8")
    assert "DOSSIERS_DB = sqlite:///$(abspath $(DEMO_DIR))/dossiers.db" in makefile
