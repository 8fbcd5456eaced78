"""Command-line interface: ``netlib calc``, ``netlib rules``, ``netlib recommend``, ``netlib cohort``,
``netlib report``.

Thin layer: it parses, calls netlib and prints.  Bad input exits with status 2 and
one line naming the field, the value and what is accepted.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Sequence

from . import NOT_A_MEDICAL_DEVICE, __version__
from .inputs import Field, InputError

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad usage: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse prints usage too)
        raise UsageError(f"{self.prog}: {message}")


def _field_help(field: Field) -> str:
    parts = [field.label]
    if field.unit:
        parts[0] += f" ({field.unit})"
    parts.append(field.accepted())
    parts.append("required" if field.required else "optional")
    text = "; ".join(parts) + "."
    if field.help:
        text += " " + field.help
    return text.replace("%", "%%")


def _calc_parser(calculator) -> _Parser:
    parser = _Parser(prog=f"netlib calc {calculator.id}", description=f"{calculator.title}. {calculator.summary}",
                     epilog=f"Sources: {', '.join(calculator.citations)}. {NOT_A_MEDICAL_DEVICE}")
    for field in calculator.fields:
        metavar = "{" + ",".join(field.choices) + "}" if field.kind == "choice" else (
            "{yes,no}" if field.kind == "boolean" else field.unit.replace(" ", "_").replace("%", "%%") or "VALUE")
        parser.add_argument(f"--{field.name}", f"--{field.name.replace('_', '-')}", dest=field.name,
                            metavar=metavar, help=_field_help(field), default=None)
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    return parser


def _print_result(result, as_json: bool, out=sys.stdout) -> None:
    if as_json:
        json.dump(result.as_dict(), out, indent=2, ensure_ascii=False)
        out.write("\n")
        return
    out.write(f"{result.headline()}\n{result.interpretation}\n")
    for warning in result.warnings:
        out.write(f"warning: {warning}\n")
    if result.citations:
        out.write(f"sources: {', '.join(result.citations)}\n")


def cmd_calc(argv: Sequence[str]) -> int:
    from .calculators import all_calculators, get

    if not argv or argv[0] in ("--list", "-l"):
        if not argv:
            raise UsageError("netlib calc: give a calculator id, or --list to see them")
        as_json = "--json" in argv
        calculators = all_calculators()
        if as_json:
            json.dump([{"id": c.id, "title": c.title, "module": c.module} for c in calculators], sys.stdout,
                      indent=2)
            sys.stdout.write("\n")
        else:
            width = max(len(c.id) for c in calculators)
            for c in calculators:
                sys.stdout.write(f"{c.id:<{width}}  {c.title}\n")
        return EXIT_OK
    if argv[0] in ("-h", "--help"):
        sys.stdout.write("usage: netlib calc --list | netlib calc ID --FIELD VALUE ... [--json] | "
                         "netlib calc ID --help\n")
        return EXIT_OK
    try:
        calculator = get(argv[0])
    except InputError as error:
        raise UsageError(f"netlib calc: unknown calculator {argv[0]!r}; {error.accepted} "
                         f"(see netlib calc --list)") from None
    parser = _calc_parser(calculator)
    args = parser.parse_args(argv[1:])
    values = {f.name: getattr(args, f.name) for f in calculator.fields if getattr(args, f.name) is not None}
    result = calculator.evaluate(values)
    _print_result(result, args.json)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"calc": cmd_calc}
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(f"netlib {__version__}: executable guideline for low-grade neuroendocrine tumours.\n"
                         f"commands: {', '.join(commands)}; 'netlib COMMAND --help' for each.\n"
                         f"{NOT_A_MEDICAL_DEVICE}\n")
        return EXIT_OK
    if argv[0] == "--version":
        sys.stdout.write(f"netlib {__version__}\n")
        return EXIT_OK
    command = commands.get(argv[0])
    try:
        if command is None:
            raise UsageError(f"netlib: unknown command {argv[0]!r}; accepted: {', '.join(commands)}")
        return command(argv[1:])
    except InputError as error:
        sys.stderr.write(f"netlib: error: {error}\n")
        return EXIT_USAGE
    except UsageError as error:
        sys.stderr.write(f"{error}\n")
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        sys.stderr.write("netlib: interrupted\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
