"""Text files as spreadsheets export them: the encoding and the column separator.

Excel on Windows writes "CSV" in Windows-1252 unless told "CSV UTF-8", and in
locales whose decimal mark is ',' it separates the columns with ';'; "Text (Tab
delimited)" separates them with tabs.  What can be told apart is read and said
in a note; what cannot is an error naming the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

from .errors import Violation

#: The column separators recognised, and how notes name them.
DELIMITERS = {",": "','", ";": "';'", "\t": "tabs"}

#: A UTF-8 multi-byte sequence: in a file that is not valid UTF-8 as a whole, its
#: presence means UTF-8 and another encoding were mixed (Windows-1252 would show "Âµ").
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")

#: A spreadsheet row number and its cells as text.
Records = list[tuple[int, list[str]]]


def decode(
    data: bytes, name: str, errors: list[Violation], notes: list[str], save_as: str = "CSV UTF-8"
) -> str | None:
    """The text of a file: UTF-8 (a byte-order mark is fine), UTF-16 with its byte-order
    mark, or else Windows-1252, which is noted.  A file mixing UTF-8 with another
    encoding, or readable as neither, is an error."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            errors.append(Violation(name, None, None, None, f"is not valid UTF-16 text (byte {exc.start})"))
            return None
        notes.append(f"{name}: read as UTF-16 (it starts with a UTF-16 byte-order mark)")
        return text
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = exc.start
    mixed = _UTF8_SEQUENCE.search(data)
    if mixed:
        errors.append(
            Violation(
                name,
                None,
                None,
                None,
                f"mixes text encodings: byte {bad} is not UTF-8, but byte {mixed.start()} starts a "
                f"UTF-8 character; save the file again as {save_as}",
            )
        )
        return None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        errors.append(
            Violation(
                name,
                None,
                None,
                None,
                f"cannot be read as text: not UTF-8 (byte {bad}) and not Windows-1252 "
                f"(byte {exc.start}); save it as {save_as}",
            )
        )
        return None
    notes.append(f"{name}: read as Windows-1252 (not valid UTF-8)")
    return text


def _is_header(line: str) -> bool:
    """Whether a physical line can be the header: not blank, not a '#' comment."""
    text = line.strip().lstrip("\ufeff")
    if not re.sub(r'[\s,;"]+', "", text):
        return False
    return not text.lstrip('"').lstrip().startswith("#")


def header_separators(text: str) -> tuple[int, str, dict[str, int]]:
    """The header line (row number and text) and how often each separator occurs in it
    outside quotes.  The header is the first line that is neither blank nor a comment."""
    counts = dict.fromkeys(DELIMITERS, 0)
    in_quotes, start, row = False, 0, 1
    for i, ch in enumerate(text):
        if ch == '"':
            in_quotes = not in_quotes
        elif in_quotes:
            continue
        elif ch in counts:
            counts[ch] += 1
        elif ch == "\n" or (ch == "\r" and text[i + 1 : i + 2] != "\n"):
            line = text[start:i].rstrip("\r")
            if _is_header(line):
                return row, line, counts
            counts = dict.fromkeys(DELIMITERS, 0)
            start, row = i + 1, row + 1
    return row, text[start:], counts


def detect_delimiter(text: str, name: str, errors: list[Violation]) -> str | None:
    """The column separator: the one of ',', ';' and tab that the header line has most
    often outside quotes (',' for a one-column header).  A tie is an error."""
    row, line, counts = header_separators(text)
    ranked = sorted(DELIMITERS, key=lambda d: -counts[d])
    best, second = ranked[0], ranked[1]
    if counts[best] == 0:
        return ","
    if counts[best] == counts[second]:
        errors.append(
            Violation(
                name,
                row,
                None,
                line,
                f"cannot tell how the columns are separated: the header has {counts[best]} "
                f"{DELIMITERS[best]} and {counts[second]} {DELIMITERS[second]}; separate the columns "
                "with one of ',', ';' or tab",
            )
        )
        return None
    return best


def csv_records(p: Path, errors: list[Violation], notes: list[str]) -> tuple[Records, str] | None:
    """The records of a delimited text file, numbered as a spreadsheet shows them
    (blank lines count), and the column separator."""
    text = decode(p.read_bytes(), p.name, errors, notes)
    if text is None:
        return None
    delimiter = detect_delimiter(text, p.name, errors)
    if delimiter is None:
        return None
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
        rows = list(reader)
    except csv.Error as exc:
        errors.append(Violation(p.name, None, None, None, f"cannot be read as CSV ({exc})"))
        return None
    return [(i, cells) for i, cells in enumerate(rows, start=1)], delimiter
