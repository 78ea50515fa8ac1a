"""Success lines are printed after the commit: a reader that closes the pipe early (`dossiers
open … | head -1`) ends the command with one French line (exit 1) and what was committed is
kept."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import Dossiers

OPEN = ["open", "--kind", "cdpi", "--worker", "Karim B.", "--start", "2027-01-11", "--end",
        "2027-02-19", "--training-hours", "210", "--owner", "lea@example.fr", "--reference",
        "CDPI-PIPE"]

CLOSED = ("Erreur : sortie standard : écriture impossible (tube refermé par le programme qui "
          "lisait) ; sortie incomplète\n")


def run_into_a_closed_pipe(url: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """The command's standard output is a pipe whose reader has already gone."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "dossiers", "--db", url, *args],
                              stdout=write, stderr=subprocess.PIPE, timeout=120, check=False)
    finally:
        os.close(write)


@pytest.mark.parametrize("args, check, kept", [
    (OPEN, ["list"], "CDPI-PIPE"),
    (["agency", "add", "Brest"], ["agency", "list"], "Brest"),
    (["staff", "add", "Ana", "--email", "ana@example.fr", "--agency", "Lyon"], ["staff", "list"],
     "ana@example.fr"),
])
def test_a_closed_pipe_keeps_what_was_committed_and_prints_no_traceback(
        network: Dossiers, args: list[str], check: list[str], kept: str) -> None:
    assert kept not in network.ok(*check)
    result = run_into_a_closed_pipe(network.url, *args)
    assert result.stderr.decode() == CLOSED and result.returncode == 1
    assert kept in network.ok(*check)


def test_a_closed_pipe_after_a_record_keeps_the_event(network: Dossiers) -> None:
    network.ok(*OPEN)
    result = run_into_a_closed_pipe(network.url, "record", "CDPI-PIPE", "drf-submitted", "--on",
                                    "2026-12-01", "--as-of", "2026-12-01")
    assert result.stderr.decode() == CLOSED and result.returncode == 1
    assert "événement « DRF déposée »" in network.ok("show", "CDPI-PIPE", "--history")
