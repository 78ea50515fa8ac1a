"""Reading a CSV file as Excel writes it, one row at a time.

Excel on a French Windows writes « CSV (séparateur : point-virgule) » in Windows-1252 with
CRLF, « CSV UTF-8 » with a BOM, and « Texte Unicode » in UTF-16 LE with a BOM and tabs. The
encoding is read from the BOM, else UTF-8 if the bytes are valid UTF-8, else Windows-1252
(unless the caller forces one); the separator (« ; », « , » or tab) from the header line.

Every cell is one line of text: a line break inside a quoted cell (or U+2028, U+0085…) is
refused at its cell, as is a cell over csv's limit (128 KiB) at its line. Header names are
compared without accents, case or spaces (« Début » is « debut »): two headers of the same
name, an unknown header, or a value under an empty header are refused by name unless the
caller ignores unknown columns. Errors are collected, each with its line (as the spreadsheet
numbers them, the header being line 1) and its column letter.

Pure reading: no database; the rows are yielded as they are read.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from dossiers.errors import InvalidInput

ENCODINGS = {"utf-8": "UTF-8", "windows-1252": "Windows-1252", "utf-16": "UTF-16"}
"""What `--encoding` may force, and how the summary line names each."""
_CODECS = {"utf-8": "utf-8-sig", "windows-1252": "cp1252", "utf-16": "utf-16"}
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_LINE_BREAKS = re.compile("[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")
DELIMITERS = {";": "« ; »", ",": "« , »", "\t": "tabulation"}
CHUNK = 1 << 20


class CellError(InvalidInput):
    """An error at one cell: its column letter, and the column's name in the message."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"colonne {column}", message)
        self.column = column

    def __str__(self) -> str:
        return self.message


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as a spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def column_name(header: str) -> str:
    """« Début » → « debut », « Heures formation » → « heures_formation »; letters of other
    scripts are kept (« Цвет » stays a name, refused as unknown, never dropped)."""
    decomposed = unicodedata.normalize("NFKD", header)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "_".join(plain.strip().casefold().replace("-", " ").split())


@dataclass
class Header:
    """The header line read: each column's name (« » for none), the known columns by name
    with their letters, and the columns ignored (by the header as written)."""

    names: list[str]
    letters: dict[str, str]
    ignored: list[str] = field(default_factory=list)
    skipped: set[int] = field(default_factory=set)


class CsvRows:
    """A CSV file opened for reading: its encoding and separator, its header, then its rows
    (`rows()`), each a line number and a dict of the named, non-empty cells. Errors are
    gathered in `errors` as (line, InvalidInput); a file-level error raises InvalidInput
    naming the file as the user gave it."""

    def __init__(self, path: Path, shown: str, known: set[str], *, encoding: str | None = None,
                 ignore_unknown: bool = False) -> None:
        self.path = path
        self.shown = shown
        self.known = known
        self.ignore_unknown = ignore_unknown
        self.errors: list[tuple[int | None, InvalidInput]] = []
        self.encoding = encoding or self._detect()
        self.delimiter = ","
        self.header: Header | None = None

    @property
    def encoding_label(self) -> str:
        return ENCODINGS[self.encoding]

    def _fail(self, message: str) -> InvalidInput:
        return InvalidInput(self.shown, message)

    def _open_binary(self) -> IO[bytes]:
        try:
            return open(self.path, "rb")  # noqa: SIM115 -- closed by the callers
        except FileNotFoundError:
            raise self._fail("fichier introuvable") from None
        except IsADirectoryError:
            raise self._fail("c'est un dossier, pas un fichier CSV") from None
        except OSError as error:
            from dossiers.messages import system_error

            raise self._fail(f"lecture impossible ({system_error(error)})") from None

    def _detect(self) -> str:
        """BOM, else valid UTF-8, else Windows-1252 (whose five unused bytes are refused)."""
        with self._open_binary() as raw:
            head = raw.read(4)
            for bom, encoding in _BOMS:
                if head.startswith(bom):
                    return encoding
            raw.seek(0)
            decoder = codecs.getincrementaldecoder("utf-8")()
            try:
                for chunk in iter(lambda: raw.read(CHUNK), b""):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
                return "utf-8"
            except UnicodeDecodeError:
                pass
            raw.seek(0)
            line = 1
            for chunk in iter(lambda: raw.read(CHUNK), b""):
                found = _CP1252_UNDEFINED.search(chunk)
                if found:
                    line += chunk.count(b"\n", 0, found.start())
                    raise self._fail(
                        f"ligne {line} : octet 0x{found.group()[0]:02X} ni UTF-8 ni Windows-1252 ; "
                        "enregistrez le fichier en « CSV UTF-8 » ou indiquez --encoding")
                line += chunk.count(b"\n")
            return "windows-1252"

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """The rows, as they are read. The header is read first (its errors gathered, and the
        rows then only checked for theirs); a line that cannot be read ends the reading."""
        with self._open_binary() as raw:
            # newline="": lines end at CR, LF or CRLF only, kept for csv (never at U+2028).
            text = io.TextIOWrapper(raw, encoding=_CODECS[self.encoding], errors="strict",
                                    newline="")
            number = 1
            try:
                first = text.readline()
                if not first.strip():
                    raise self._fail("fichier vide : la première ligne doit nommer les colonnes")
                counts = {d: first.count(d) for d in DELIMITERS}
                self.delimiter = max(DELIMITERS, key=lambda d: counts[d])
                # strict: a quote left open or followed by text is an error, not a guess.
                reader = csv.reader(_lines(first, text), delimiter=self.delimiter, strict=True)
                self.header = self._read_header(next(reader))
                while True:
                    try:
                        cells = next(reader)
                    except StopIteration:
                        return
                    except csv.Error as error:
                        self.errors.append((number + 1, self._unreadable(error)))
                        return
                    number += 1
                    row = self._row(number, cells)
                    if row is not None:
                        yield number, row
            except UnicodeDecodeError:
                raise self._fail(f"ligne {number + 1} : le fichier n'est pas en "
                                 f"{self.encoding_label} (indiquez --encoding, ou enregistrez-le "
                                 "en « CSV UTF-8 »)") from None

    def _unreadable(self, error: csv.Error) -> InvalidInput:
        if "field larger than field limit" in str(error):
            return self._fail(f"une cellule dépasse {csv.field_size_limit() // 1024} Kio : "
                              "ligne refusée")
        return self._fail("ligne illisible : guillemets mal placés ou jamais refermés")

    def _read_header(self, cells: list[str]) -> Header:
        names = [column_name(cell) for cell in cells]
        header = Header(names, {})
        first_of: dict[str, int] = {}
        for index, (cell, name) in enumerate(zip(cells, names, strict=True)):
            letter = column_letter(index)
            if _LINE_BREAKS.search(cell):
                self.errors.append((1, CellError(letter, "saut de ligne dans un en-tête")))
            if not name:
                header.skipped.add(index)
                continue
            if name in first_of:
                earlier = first_of[name]
                self.errors.append((1, CellError(letter, (
                    f"colonne « {cell.strip()} » en double : c'est déjà la colonne "
                    f"{column_letter(earlier)} (« {cells[earlier].strip()} ») ; gardez-en une"))))
                header.skipped.add(index)
                continue
            first_of[name] = index
            if name not in self.known:
                header.skipped.add(index)
                if self.ignore_unknown:
                    header.ignored.append(cell.strip())
                else:
                    self.errors.append((1, CellError(letter, (
                        f"colonne inconnue « {cell.strip()} » (colonnes possibles : voir le "
                        "README ; --ignore-unknown-columns l'ignore)"))))
                continue
            header.letters[name] = letter
        return header

    def _row(self, number: int, cells: list[str]) -> dict[str, str] | None:
        """The named, non-empty cells of a row (None for an empty row); each cell that cannot
        be taken is an error at its cell."""
        assert self.header is not None
        names = self.header.names
        row: dict[str, str] = {}
        empty = True
        for index, cell in enumerate(cells):
            value = cell.strip()
            if not value:
                continue
            empty = False
            if index >= len(names):
                self.errors.append((number, CellError(
                    column_letter(index), f"valeur « {_shown(value)} » hors des colonnes "
                                          "nommées (plus de valeurs que de colonnes)")))
                continue
            name = names[index]
            if index in self.header.skipped:
                if not name and not self.ignore_unknown:
                    self.errors.append((number, CellError(
                        column_letter(index),
                        f"valeur « {_shown(value)} » dans une colonne sans en-tête "
                        "(nommez la colonne, ou --ignore-unknown-columns)")))
                continue
            if _LINE_BREAKS.search(value):
                self.errors.append((number, CellError(
                    column_letter(index),
                    f"{name} : saut de ligne dans la cellule (une seule ligne attendue)")))
                continue
            row[name] = value
        return None if empty else row


def _lines(first: str, rest: IO[str]) -> Iterator[str]:
    """The header line, then the others as the file gives them (CR, LF or CRLF kept, so
    that csv sees a line break inside a quoted cell)."""
    return itertools.chain((first,), rest)


def _shown(text: str, limit: int = 30) -> str:
    one_line = _LINE_BREAKS.sub(" ", text)
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"
