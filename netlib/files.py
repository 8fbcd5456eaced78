"""Files in and out of the command line: the one reader for patient files (YAML or JSON), the one
strict reader for patient CSVs, safe output writing, exit statuses and one-line errors.

Every command (``recommend``, ``report``, ``cohort``) reads through this module, so a patient file
means the same thing everywhere:

* **Patient files** (:func:`load_patient_file`) are at most :data:`MAX_PATIENT_FILE_BYTES`, UTF-8
  (a byte-order mark is accepted; UTF-16, other encodings and binary files are refused), nested at most
  :data:`MAX_NESTING_DEPTH` levels, and hold one mapping.  YAML is read with YAML 1.2 core scalars, not
  PyYAML's YAML 1.1 defaults: ``1:30`` is text (not base-60 90), ``1_0`` is text (not 10), ``yes``/``no``/
  ``on``/``off`` are text (the field's own validation decides what they mean), ``012`` is twelve (not
  octal), a date stays text.  Anchors and aliases (``&a``/``*a``, the "billion laughs" expansion) and
  explicit tags (``!!python/...``) are refused, and so is a key given twice (YAML and JSON).  An integer
  longer than the number parser accepts is kept as text, so the field reports it instead of Python.
* **Patient CSVs** (:class:`PatientCsv`) stream row by row: an unterminated quote or a stray quote is
  an error naming its line; a row with fewer or more cells than the header is an error row, never
  silently shifted; cells are at most :data:`MAX_CSV_FIELD_CHARS` characters.
* **Outputs** are written to a temporary file beside the target and renamed into place when complete
  (:func:`atomic_output`); :func:`check_output` refuses a target that is the input file itself or is
  not a regular file (a folder, a device such as ``/dev/null``, a path under a file) before anything
  is opened.  CSV cells a spreadsheet would execute are neutralised (:func:`neutralise_cell`).
* **Errors** are one line naming the field or the line, the value (shortened to
  :data:`SHOWN_VALUE_CHARS` characters) and what is accepted.

Exit statuses (``netlib --help`` and the README list them): :data:`EXIT_OK` 0, :data:`EXIT_SOME_FAILED` 1
(some patients failed; the others were written), :data:`EXIT_USAGE` 2 (bad usage or input; nothing
written), :data:`EXIT_IO` 74 (an operating-system error reading or writing a file: a read-only folder,
a full disk, a file that cannot be opened).

Standard library only; PyYAML is imported when a YAML file is read.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import csv
import json
import math
import os
import re
import signal
import stat
import sys
import tempfile
import threading
from itertools import compress
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from .inputs import MAX_INTEGER_DIGITS, InputError

__all__ = [
    "EXIT_OK", "EXIT_SOME_FAILED", "EXIT_USAGE", "EXIT_IO", "UsageError", "CommandParser",
    "MAX_PATIENT_FILE_BYTES", "MAX_NESTING_DEPTH", "MAX_YAML_NODES", "MAX_CSV_FIELD_CHARS",
    "MAX_CSV_LINE_CHARS", "SHOWN_VALUE_CHARS", "PATIENT_ID", "PATIENT_FILE_SUFFIXES",
    "shorten", "error_line", "os_error_line", "load_patient_file", "take_patient_id", "CsvRow", "PatientCsv",
    "neutralise_cell", "neutralise_row", "check_output", "atomic_output", "exit_on_sigterm", "dump_json",
    "stdout_failed",
]

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
# sysexits.h EX_IOERR: "an error occurred while doing I/O on some file"; distinct from 1 (some patients
# failed), so a script can tell a full disk from a bad row.
EXIT_IO = 74

# A patient file holds a few dozen fields and at most a few dozen scans: a few kilobytes.  One megabyte
# leaves a wide margin and bounds the time and memory a hostile file can take.
MAX_PATIENT_FILE_BYTES = 1_000_000
# patient -> measurements -> one scan is three levels; ten is generous and keeps parsing bounded.
MAX_NESTING_DEPTH = 10
# Scalars, lists and mappings in one YAML file (a full patient with sixty scans is about 250).
MAX_YAML_NODES = 10_000
# A cohort cell is a field value or a patient id: a few characters.  An unterminated quote swallows the
# rest of the file into one cell; this limit stops it at the first 10,000 characters.
MAX_CSV_FIELD_CHARS = 10_000
MAX_CSV_LINE_CHARS = 100_000
# A rejected value is shown in an error message up to this length, then "…".
SHOWN_VALUE_CHARS = 40

PATIENT_ID = "patient_id"
PATIENT_FILE_SUFFIXES = (".yaml", ".yml", ".json")
_YAML_SUFFIXES = (".yaml", ".yml")


class UsageError(Exception):
    """Bad usage or an unreadable input file: printed as one line, exit status 2."""


# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------

def shorten(text: str, limit: int = SHOWN_VALUE_CHARS) -> str:
    """``text`` cut to ``limit`` characters plus "…" when longer."""
    return text if len(text) <= limit else text[:limit] + "…"


def _shown(value: Any) -> str:
    """A value as an error message shows it: repr of text (one line), shortened."""
    return shorten(repr(value) if isinstance(value, str) else str(value))


def error_line(error: InputError) -> str:
    """One line for an InputError, with the rejected value shortened.

    The validators show the whole value (repr); a hostile file may give a value of a megabyte.
    """
    text = str(error)
    value = error.value
    if isinstance(value, str) and len(value) > SHOWN_VALUE_CHARS:
        text = text.replace(repr(value), _shown(value))
    return " ".join(shorten(text, 500).splitlines())


def os_error_line(error: OSError) -> str:
    """One line for an operating-system error: what failed and on which file."""
    reason = error.strerror or type(error).__name__
    name = error.filename if error.filename is not None else ""
    return f"{reason}: {name}" if name else reason


# ---------------------------------------------------------------------------------------------
# Command-line parser
# ---------------------------------------------------------------------------------------------

class _StoreOnce(argparse.Action):
    """``store`` that refuses a second value: ``--ki67_percent 5 --ki67_percent 50`` is an error, not 50."""

    def __call__(self, parser, namespace, values, option_string=None):
        _given_once(parser, self, option_string)
        setattr(namespace, self.dest, values)


class _StoreTrueOnce(argparse.Action):
    def __init__(self, option_strings, dest, default=False, required=False, help=None):
        super().__init__(option_strings, dest, nargs=0, const=True, default=default, required=required, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        _given_once(parser, self, option_string)
        setattr(namespace, self.dest, True)


def _given_once(parser, action, option_string) -> None:
    seen = parser.__dict__.setdefault("_given_destinations", set())
    if action.dest in seen:
        names = "/".join(action.option_strings) or action.dest
        raise UsageError(f"{parser.prog}: {option_string or names} is given more than once ({names}); "
                         f"give each option once")
    seen.add(action.dest)


class CommandParser(argparse.ArgumentParser):
    """argparse with one-line errors (UsageError, exit 2), each option accepted once, and no
    abbreviations (``--ki67`` is not silently ``--ki67_percent``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def add_argument(self, *args, **kwargs):
        action = kwargs.get("action", "store")
        if action == "store":
            kwargs["action"] = _StoreOnce
        elif action == "store_true":
            kwargs["action"] = _StoreTrueOnce
        return super().add_argument(*args, **kwargs)

    def parse_known_args(self, args=None, namespace=None):
        self._given_destinations = set()
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> None:  # one line, exit 2 (argparse would print the usage too)
        raise UsageError(f"{self.prog}: {message}")


def dump_json(data: Any, out) -> None:
    """Strict JSON (RFC 8259 has no NaN or Infinity): a non-finite number is written as null."""
    json.dump(_finite(data), out, indent=2, ensure_ascii=False, allow_nan=False, default=str)
    out.write("\n")


def _finite(data: Any) -> Any:
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(value) for value in data]
    return data


# ---------------------------------------------------------------------------------------------
# Patient files
# ---------------------------------------------------------------------------------------------

def _regular_input(path: Path, what: str) -> None:
    """Refuse a missing input or one that is not a regular file (a folder, a FIFO, a device)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise UsageError(f"netlib: {what} {str(path)!r} not found") from None
    if stat.S_ISDIR(mode):
        raise UsageError(f"netlib: {what} {str(path)!r} is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise UsageError(f"netlib: {what} {str(path)!r} is not a regular file")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode(data: bytes, name: str) -> str:
    """UTF-8 text (a byte-order mark is dropped), or UsageError saying what the file is instead."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise UsageError(f"netlib: {name} is UTF-32 text; save it as UTF-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UsageError(f"netlib: {name} is UTF-16 text; save it as UTF-8")
    zero = data.find(b"\0")
    if zero >= 0:
        raise UsageError(f"netlib: {name} line {_line_of(data, zero)}: a zero byte; this is a binary file, "
                         f"not UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(f"netlib: {name} line {_line_of(data, error.start)}: byte 0x{data[error.start]:02x} "
                         f"is not UTF-8; save the file as UTF-8 text") from None


def load_patient_file(path: str | os.PathLike) -> dict[str, Any]:
    """One patient from a YAML or JSON file: a mapping of field to value (UsageError if unreadable).

    The values are as written (text, numbers, true/false, lists); the caller validates them.  An
    operating-system error while reading (permission denied, say) is raised as OSError.
    """
    file = Path(path)
    name = str(path)
    suffix = file.suffix.lower()
    if suffix not in PATIENT_FILE_SUFFIXES:
        raise UsageError(f"netlib: patient file must end in .yaml, .yml or .json; got {shorten(repr(name))}")
    _regular_input(file, "patient file")
    with file.open("rb") as handle:
        data = handle.read(MAX_PATIENT_FILE_BYTES + 1)
    if len(data) > MAX_PATIENT_FILE_BYTES:
        raise UsageError(f"netlib: {name} is larger than {MAX_PATIENT_FILE_BYTES:,} bytes; a patient file "
                         f"holds one patient")
    text = _decode(data, name)
    values = _load_yaml(text, name) if suffix in _YAML_SUFFIXES else _load_json(text, name)
    if not isinstance(values, dict):
        raise UsageError(f"netlib: {name} must hold one patient as a mapping of field: value; "
                         f"got {type(values).__name__ if values is not None else 'an empty file'}")
    return values


def take_patient_id(values: dict[str, Any], default: str | None = None) -> str | None:
    """Remove ``patient_id`` from ``values`` (it names the patient; it is never clinical input) and
    return it as stripped text, or ``default`` when it is absent or empty."""
    given = values.pop(PATIENT_ID, None)
    if given is None:
        return default
    if isinstance(given, bool) or not isinstance(given, (str, int)):
        raise InputError(PATIENT_ID, given, "text or a whole number",
                         f"{PATIENT_ID} must be text or a whole number; got {type(given).__name__}")
    text = str(given).strip()
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text):  # NUL, ESC, line breaks: not into a page or terminal
        raise InputError(PATIENT_ID, given, "text without control characters",
                         f"{PATIENT_ID} must be text without control characters (line breaks, tabs, NUL, "
                         f"escape sequences); got {shorten(repr(given))}")
    return text or default


# JSON -----------------------------------------------------------------------------------------

def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    for key, value in pairs:
        if key in mapping:
            raise _FileProblem(f"{shorten(repr(key))} is given twice; give each field once", field=key)
        mapping[key] = value
    return mapping


def _json_integer(text: str) -> int | str:
    """An integer, or the text itself when too long to be a field value (the field then reports it)."""
    digits = len(text) - (text[0] in "+-")
    return int(text) if digits <= MAX_INTEGER_DIGITS else text


def _json_constant(name: str) -> Any:
    raise _FileProblem(f"{name} is not a number a patient file may hold (JSON has no {name})")


class _FileProblem(Exception):
    """A problem found while parsing, before the line is known."""

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None):
        super().__init__(message)
        self.line, self.field = line, field


def _too_deep(value: Any) -> bool:
    """Whether any value sits inside more than MAX_NESTING_DEPTH lists or mappings (the patient's own
    mapping is level 0)."""
    stack = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if level > MAX_NESTING_DEPTH:
            return True
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return False


def _load_json(text: str, name: str) -> Any:
    try:
        data = json.loads(text, object_pairs_hook=_json_object, parse_int=_json_integer,
                          parse_constant=_json_constant)
    except json.JSONDecodeError as error:
        raise UsageError(f"netlib: {name} line {error.lineno}: not valid JSON: {error.msg}") from None
    except _FileProblem as problem:
        raise UsageError(f"netlib: {name}: {problem}") from None
    except RecursionError:
        raise UsageError(f"netlib: {name}: nested more than {MAX_NESTING_DEPTH} levels deep") from None
    if _too_deep(data):
        raise UsageError(f"netlib: {name}: nested more than {MAX_NESTING_DEPTH} levels deep")
    return data


# YAML -----------------------------------------------------------------------------------------

# YAML 1.2 core schema, decimal only: https://yaml.org/spec/1.2.2/#1032-tag-resolution
_YAML_NULL = ("", "~", "null", "Null", "NULL")
_YAML_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_YAML_INT = r"^[-+]?[0-9]+$"
_YAML_FLOAT = r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"
_TAG = "tag:yaml.org,2002:"

_loader_class = None


def _patient_loader():
    """A YAML loader whose composer refuses anchors, aliases, explicit tags and deep or huge documents,
    and whose resolver knows only YAML 1.2 core scalars (built once, on first use).

    Events come from libyaml's parser when PyYAML has it (a 1 MB scalar in 0.1 s instead of 10 s),
    otherwise from PyYAML's own; nodes are composed by PyYAML's Composer with the checks below, and
    turned into values by :func:`_yaml_value` (no PyYAML constructor, so no YAML 1.1 conversions).
    """
    global _loader_class
    if _loader_class is not None:
        return _loader_class
    import yaml
    from yaml.composer import Composer
    from yaml.resolver import BaseResolver

    class PatientResolver(BaseResolver):
        yaml_implicit_resolvers: dict = {}

    for tag, pattern, first in (
            (_TAG + "bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
            (_TAG + "int", _YAML_INT, "-+0123456789"),
            (_TAG + "float", _YAML_FLOAT, "-+.0123456789"),
            (_TAG + "null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""])):
        PatientResolver.add_implicit_resolver(tag, re.compile(pattern), list(first))

    class CheckedComposer(Composer):
        depth = 0
        nodes = 0

        def compose_node(self, parent, index):
            event = self.peek_event()
            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
                raise _FileProblem("anchors and aliases (&name, *name) are not accepted in a patient file; "
                                   "write each value out", line=line)
            tag = getattr(event, "tag", None)
            if tag is not None and tag != "!":
                raise _FileProblem(f"the tag {shorten(tag)} is not accepted in a patient file; write plain "
                                   f"values", line=line)
            self.nodes += 1
            if self.nodes > MAX_YAML_NODES:
                raise _FileProblem(f"more than {MAX_YAML_NODES:,} values; a patient file holds one patient",
                                   line=line)
            self.depth += 1
            try:
                if self.depth > MAX_NESTING_DEPTH + 1:  # the document's own mapping is level 0
                    raise _FileProblem(f"nested more than {MAX_NESTING_DEPTH} levels deep", line=line)
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    try:
        from yaml._yaml import CParser
    except ImportError:  # PyYAML without libyaml
        from yaml.parser import Parser
        from yaml.reader import Reader
        from yaml.scanner import Scanner

        class PatientLoader(Reader, Scanner, Parser, CheckedComposer, PatientResolver):
            def __init__(self, stream):
                Reader.__init__(self, stream)
                Scanner.__init__(self)
                Parser.__init__(self)
                CheckedComposer.__init__(self)
                PatientResolver.__init__(self)
    else:
        class PatientLoader(CheckedComposer, CParser, PatientResolver):  # type: ignore[no-redef]
            def __init__(self, stream):
                CParser.__init__(self, stream)
                CheckedComposer.__init__(self)
                PatientResolver.__init__(self)

    _loader_class = PatientLoader
    return PatientLoader


def _yaml_value(node) -> Any:
    """Python value of a composed node (depth already bounded by the composer)."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _yaml_value(key_node)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise _FileProblem(f"the key {_shown(key)} is not text; keys are field names", line=line)
            if key in mapping:
                raise _FileProblem(f"{shorten(repr(key))} is given twice; give each field once", line=line,
                                   field=key)
            if key == "<<":
                raise _FileProblem("merge keys (<<) are not accepted in a patient file", line=line)
            mapping[key] = _yaml_value(value_node)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [_yaml_value(item) for item in node.value]
    value, tag = node.value, node.tag
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        return _YAML_BOOL[value]
    if tag == _TAG + "int":
        return _json_integer(value)
    if tag == _TAG + "float":
        return float(value)
    return value


def _load_yaml(text: str, name: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise UsageError("netlib: reading YAML needs PyYAML (pip install pyyaml); or give JSON") from None
    loader = None
    try:
        loader = _patient_loader()(text)  # the reader refuses control characters here
        node = loader.get_single_node()
        return None if node is None else _yaml_value(node)
    except _FileProblem as problem:
        where = f" line {problem.line}" if problem.line else ""
        raise UsageError(f"netlib: {name}{where}: {problem}") from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, max(0, error.position)) + 1
        raise UsageError(f"netlib: {name} line {line}: not valid YAML: the character U+{error.character:04X} "
                         f"is not allowed in YAML text") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = " ".join(str(error.problem or error.context or "").split())
        if "nesting depth" in problem:  # libyaml's own limit, far above ours
            problem = f"nested more than {MAX_NESTING_DEPTH} levels deep"
            raise UsageError(f"netlib: {name}{where}: {problem}") from None
        raise UsageError(f"netlib: {name}{where}: not valid YAML: {shorten(problem, 200)}") from None
    except yaml.YAMLError as error:
        message = " ".join(str(error).split())
        raise UsageError(f"netlib: {name}: not valid YAML: {shorten(message, 200)}") from None
    finally:
        if loader is not None:
            loader.dispose()


# ---------------------------------------------------------------------------------------------
# Patient CSVs
# ---------------------------------------------------------------------------------------------

class CsvRow:
    """One data row: its 1-based number among the data rows, the line it starts on, the non-empty
    cells by column (``patient_id`` included) and, for a malformed row, why it cannot be used."""

    __slots__ = ("number", "line", "values", "problem")

    def __init__(self, number: int, line: int, values: dict[str, str], problem: str | None = None):
        self.number, self.line, self.values, self.problem = number, line, values, problem


class PatientCsv:
    """A strict, streaming reader of a patient CSV (header of column names, one patient a row).

    ``with PatientCsv(path, columns) as rows: for row in rows: ...``.  The header is checked on
    opening: a column not in ``columns`` (and not ``patient_id``) or a repeated column is an InputError.
    Rows are read one at a time (memory does not grow with the file); :attr:`characters_read` follows
    the position for a progress bar.  A row with fewer or more cells than the header comes back with
    :attr:`CsvRow.problem` set; an unterminated quote, a stray quote or a cell over
    :data:`MAX_CSV_FIELD_CHARS` characters refuses the whole file (InputError naming the line), since
    every row after it would be misread.
    """

    def __init__(self, path: str | os.PathLike, columns: Sequence[str] | Mapping[str, Any]):
        self.path = Path(path)
        self.name = str(path)
        self.allowed = set(columns)
        self.size = 0
        self.characters_read = 0
        self.columns: list[str] = []
        self._handle = None
        self._restore_limit: int | None = None

    def __enter__(self) -> "PatientCsv":
        _regular_input(self.path, "input file")
        self.size = self.path.stat().st_size
        self._handle = self.path.open(newline="", encoding="utf-8-sig")
        try:
            self._open()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        if self._restore_limit is not None:
            csv.field_size_limit(self._restore_limit)
            self._restore_limit = None
        if self._handle is not None:
            self._handle.close()

    def _error(self, line: int, message: str) -> InputError:
        return InputError("csv", self.name, "a UTF-8 CSV file with one patient a row",
                          f"{self.name} line {line}: {message}")

    def _lines(self) -> Iterator[str]:
        readline = self._handle.readline
        limit = MAX_CSV_LINE_CHARS + 1
        line_number = 0
        while True:
            try:
                line = readline(limit)
            except UnicodeDecodeError as error:
                raise self._error(line_number + 1, f"not UTF-8 text (byte 0x{error.object[error.start]:02x}); "
                                                   f"save the file as UTF-8 CSV") from None
            if not line:
                return
            line_number += 1
            if len(line) == limit and not line.endswith("\n"):
                raise self._error(line_number, f"longer than {MAX_CSV_LINE_CHARS:,} characters")
            if "\0" in line:
                raise self._error(line_number, "a zero byte; this is a binary file, not CSV text")
            self.characters_read += len(line)
            yield line

    def _open(self) -> None:
        self._restore_limit = csv.field_size_limit(MAX_CSV_FIELD_CHARS)  # the limit is process-wide
        self._reader = csv.reader(self._lines(), strict=True)
        header = self._next_record()
        if header is None:
            raise self._error(1, "the file is empty; the first line names the columns")
        header = [cell.strip() for cell in header]
        self.columns = header
        for column in header:
            if column != PATIENT_ID and column not in self.allowed:
                raise InputError(column, column, "patient fields: " + ", ".join(sorted(self.allowed)),
                                 f"{self.name} line 1: column {shorten(repr(column))} is not a patient field")
        repeated = [column for index, column in enumerate(header) if column in header[:index]]
        if repeated:
            raise InputError(repeated[0], repeated[0], "each column once",
                             f"{self.name} line 1: column {shorten(repr(repeated[0]))} appears twice")

    def _next_record(self) -> list[str] | None:
        reader = self._reader
        start = reader.line_num + 1
        try:
            return next(reader)
        except StopIteration:
            return None
        except csv.Error as error:
            reason = str(error)
            if "end of data" in reason:
                reason = "a quoted cell is not closed (unterminated quote)"
            elif "field larger" in reason:
                reason = (f"a cell longer than {MAX_CSV_FIELD_CHARS:,} characters (often an unterminated "
                          f"quote)")
            elif "expected after" in reason:
                reason = 'a quote inside a quoted cell must be doubled ("")'
            raise self._error(start, reason) from None

    def __iter__(self) -> Iterator[CsvRow]:
        columns = self.columns
        width = len(columns)
        number = 0
        while True:
            line = self._reader.line_num + 1
            cells = self._next_record()
            if cells is None:
                return
            if not cells:  # a blank line
                continue
            number += 1
            values = dict(compress(zip(columns, cells), cells))  # the non-empty cells
            if len(cells) == width:
                yield CsvRow(number, line, values)
            elif len(cells) > width:
                extra = cells[width:]
                yield CsvRow(number, line, values,
                             f"line {line}: row has {len(extra)} more cell(s) than the header has columns "
                             f"(extra: {', '.join(_shown(cell) for cell in extra[:5])})")
            else:
                yield CsvRow(number, line, values,
                             f"line {line}: row has {width - len(cells)} fewer cell(s) than the header has "
                             f"columns (missing: {', '.join(columns[len(cells):][:5])})")


# ---------------------------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


_PLAIN_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def neutralise_cell(text: str) -> str:
    """A CSV cell that a spreadsheet cannot execute (OWASP CSV injection: a cell starting with
    ``= + - @``, a tab or a carriage return is a formula; a leading ``'`` makes it text).  A plain number
    such as ``-3.5`` is left as it is."""
    if text and text[0] in _FORMULA_STARTS and not (text[0] in "+-" and _PLAIN_NUMBER.fullmatch(text)):
        return "'" + text
    return text


_FORMULA_FIRST = frozenset(_FORMULA_STARTS)


def neutralise_row(cells: Iterable[str]) -> list[str]:
    """:func:`neutralise_cell` of each cell; a cell whose first character cannot start a formula (the common
    case) is kept as it is, without the call."""
    return [cell if cell[:1] not in _FORMULA_FIRST else neutralise_cell(cell) for cell in cells]


def check_output(target: str | os.PathLike, *, force: bool = False,
                 inputs: Sequence[str | os.PathLike] = ()) -> Path:
    """Refuse an output path before anything is opened: the input itself (same file, however named), an
    existing file without ``force``, anything but a regular file (a folder, a device such as /dev/null,
    a FIFO), or a path whose parent is a file.  Returns the path."""
    path = Path(target)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        raise UsageError(f"netlib: cannot write {target}: a parent of it is a file, not a folder") from None
    if info is None:
        return path
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"netlib: -o {target} is a folder; give a file name")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"netlib: -o {target} is not a regular file (a device or a pipe); refusing to "
                         f"replace it")
    for source in inputs:
        with contextlib.suppress(OSError):
            if os.path.samefile(source, path):
                raise UsageError(f"netlib: -o {target} is the input file {source}; write the output elsewhere")
    if not force:
        raise UsageError(f"netlib: {target} exists; refusing to overwrite it without --force")
    return path


@contextlib.contextmanager
def atomic_output(target: str | os.PathLike, *, binary: bool = False, encoding: str = "utf-8",
                  newline: str | None = ""):
    """``with atomic_output(path) as handle:`` write to a temporary file beside ``path``; on success it is
    synced and renamed onto ``path``; on any exception (Ctrl-C and SIGTERM with :func:`exit_on_sigterm`
    included) it is removed.  Call :func:`check_output` first."""
    path = Path(target)
    temporary = None
    created = [folder for folder in path.parents if not folder.exists()]  # removed again on failure
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        if binary:
            handle = os.fdopen(descriptor, "wb")
        else:
            handle = os.fdopen(descriptor, "w", encoding=encoding, newline=newline)
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)  # mkstemp creates 0600; outputs are ordinary files
        os.replace(temporary, path)
    except BaseException as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        for folder in created:  # deepest first; only the folders made here, and only when empty
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(error, OSError) and (error.filename is None or temporary is None
                                           or error.filename == temporary):
            raise OSError(error.errno, error.strerror or str(error), str(path)) from None  # the name asked for
        raise


@contextlib.contextmanager
def exit_on_sigterm():
    """While inside, SIGTERM raises SystemExit(143) in the main thread, so ``finally`` blocks and
    :func:`atomic_output` clean up as they do for Ctrl-C (the default action would kill the process at
    once and leave its temporary file behind).  Elsewhere than the main thread it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, _frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def stdout_failed() -> bool:
    """Whether stdout cannot take more output (a full disk, a closed pipe); if so, point it at /dev/null,
    so that the interpreter's final flush does not print a second error (Python's advice for a closed
    pipe)."""
    try:
        sys.stdout.flush()
        return False
    except (OSError, ValueError):
        pass
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return True
