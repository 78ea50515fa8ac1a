"""Shell completion through click's mechanism (`_DOSSIERS_COMPLETE=…`), as the README documents
it for bash, zsh and fish."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossiers.cli import cli


def complete(shell: str, words: str, current: str) -> str:
    """What the shell's completion function receives for the command line `words`."""
    result = CliRunner().invoke(cli, [], env={
        "_DOSSIERS_COMPLETE": f"{shell}_complete", "COMP_WORDS": words, "COMP_CWORD": current})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_bash_completes_command_names() -> None:
    assert complete("bash", "dossiers rep", "1") == "plain,report\n"
    assert complete("bash", "dossiers report ", "2").splitlines() == [
        "plain,overdue", "plain,upcoming"]


def test_bash_completes_options_and_the_codes_of_a_choice() -> None:
    assert complete("bash", "dossiers report overdue --for", "3") == "plain,--format\n"
    assert complete("bash", "dossiers report overdue --format ", "4").splitlines() == [
        "plain,table", "plain,csv", "plain,html", "plain,pdf", "plain,json"]


def test_zsh_shows_the_french_meaning_of_each_code() -> None:
    assert complete("zsh", "dossiers record LYO-CDPI-01 drf-s", "3").splitlines() == [
        "plain", "drf-submitted", "DRF déposée"]


def test_fish_completes_the_zones_of_an_agency() -> None:
    assert complete("fish", "dossiers agency add Nancy --zone al", "al").splitlines() == [
        "plain,alsace-moselle"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash absent")
def test_the_bash_script_of_the_readme_completes_in_a_real_bash(tmp_path: Path) -> None:
    """`eval "$(_DOSSIERS_COMPLETE=bash_source dossiers)"`, then what bash does on Tab."""
    script = """
        eval "$(_DOSSIERS_COMPLETE=bash_source dossiers)"
        COMP_WORDS=(dossiers rem); COMP_CWORD=1; COMPREPLY=()
        _dossiers_completion dossiers; echo "${COMPREPLY[*]}"
        COMP_WORDS=(dossiers list --kind c); COMP_CWORD=3; COMPREPLY=()
        _dossiers_completion dossiers; echo "${COMPREPLY[*]}"
    """
    entry_points = str(Path(sys.executable).parent)
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False,
                            cwd=tmp_path, env={**os.environ, "PATH": entry_points + os.pathsep
                                               + os.environ.get("PATH", "")})
    assert result.returncode == 0, result.stderr
    assert result.stdout == "remind\ncipi cdpi car\n"
