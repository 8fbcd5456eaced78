"""Command-line interface: ``netlib calc``, ``netlib rules``, ``netlib recommend``, ``netlib cohort``,
``netlib report``.

Thin layer: it parses, calls netlib and prints; files are read and written through
:mod:`netlib.files`.  Exit status: 0 done; 1 some patients failed (cohort, report batch); 2 bad usage
or input, with one line naming the field (or the file's line), the value and what is accepted;
74 an input/output error (a file that cannot be read or written, a full disk).
"""

from __future__ import annotations

import sys
from typing import Sequence

from . import NOT_A_MEDICAL_DEVICE, __version__
from .files import (EXIT_IO, EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, CommandParser, UsageError, dump_json,
                    error_line, load_patient_file, os_error_line, stdout_failed, take_patient_id)
from .inputs import Field, InputError

__all__ = ["main", "EXIT_OK", "EXIT_SOME_FAILED", "EXIT_USAGE", "EXIT_IO", "UsageError", "load_patient_file",
           "format_recommendations"]

_Parser = CommandParser  # one-line errors, each option once

EXIT_STATUS_HELP = (f"exit status: {EXIT_OK} done; {EXIT_SOME_FAILED} some patients failed (the others were "
                    f"written); {EXIT_USAGE} bad usage or input (one line names the field or line); "
                    f"{EXIT_IO} a file could not be read or written")


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


def _option_names(name: str) -> list[str]:
    """--ki67_percent and its hyphenated spelling --ki67-percent (once when they are the same)."""
    return list(dict.fromkeys((f"--{name}", f"--{name.replace('_', '-')}")))


def _calc_parser(calculator) -> _Parser:
    parser = _Parser(prog=f"netlib calc {calculator.id}", description=f"{calculator.title}. {calculator.summary}",
                     epilog=f"Sources: {', '.join(calculator.citations)}. {NOT_A_MEDICAL_DEVICE}")
    for field in calculator.fields:
        metavar = "{" + ",".join(field.choices) + "}" if field.kind == "choice" else (
            "{yes,no}" if field.kind == "boolean" else field.unit.replace(" ", "_") or "VALUE")
        parser.add_argument(*_option_names(field.name), dest=field.name, metavar=metavar,
                            help=_field_help(field), default=None)
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    return parser


def _print_result(result, as_json: bool, out=None) -> None:
    out = sys.stdout if out is None else out
    if as_json:
        dump_json(result.as_dict(), out)
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
            dump_json([{"id": c.id, "title": c.title, "module": c.module} for c in calculators], sys.stdout)
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



# --- the decision algorithm -------------------------------------------------------------------

def _patient_parser(prog: str) -> _Parser:
    from .pathway import PATIENT_FORM

    parser = _Parser(prog=prog, description="Guideline options for one patient with low-grade NET.",
                     epilog=NOT_A_MEDICAL_DEVICE)
    parser.add_argument("file", nargs="?", help="patient as YAML or JSON (fields as below)")
    parser.add_argument("--json", action="store_true", help="print the full structured result")
    parser.add_argument("--format", choices=("text", "json", "cds-hooks"), default=None,
                        help="output format (default text)")
    for field in PATIENT_FORM.fields:
        parser.add_argument(*_option_names(field.name), dest=f"field_{field.name}", default=None, metavar=_patient_metavar(field),
                            help=_field_help(field))
    return parser


def _patient_metavar(field: Field) -> str:
    if field.kind == "choice":
        return "{" + ",".join(field.choices) + "}"
    if field.kind == "boolean":
        return "{yes,no}"
    return field.unit.replace(" ", "_") or "VALUE"


def format_recommendations(result) -> str:
    """Readable text for one patient's result."""
    lines = [f"Pathway: {result.pathway} (rule set {result.ruleset_version})"]
    if result.redirect:
        lines.append(f"Redirected: {result.redirect}")
    if result.recommendations:
        lines.append("Options, best first:")
        for number, rec in enumerate(result.recommendations, 1):
            lines.append(f"  {number}. {rec.name} [{rec.tier}; evidence {rec.evidence}] ({', '.join(rec.rule_ids)})")
            lines.append(f"     {rec.rationale}")
            if rec.dose:
                lines.append(f"     Dose: {rec.dose}")
            lines.append(f"     Sources: {', '.join(rec.citations)}")
    if result.excluded:
        lines.append("Not recommended:")
        for item in result.excluded:
            lines.append(f"  - {item.name} ({item.rule_id}): {item.reason}")
    if result.missing:
        lines.append("Missing information:")
        for item in result.missing:
            lines.append(f"  - {item.item}: {item.how}")
    if result.advice:
        lines.append("Work-up:")
        for statement, _keys in result.advice:
            lines.append(f"  - {statement}")
    lines.append("Always:")
    for statement, _keys in result.always:
        lines.append(f"  - {statement}")
    lines.append(NOT_A_MEDICAL_DEVICE)
    return "\n".join(lines) + "\n"


def cmd_recommend(argv: Sequence[str]) -> int:
    from .cdshooks import cards
    from .pathway import recommend

    parser = _patient_parser("netlib recommend")
    args = parser.parse_args(argv)
    values = load_patient_file(args.file) if args.file else {}
    # patient_id names the patient (as in `netlib cohort` and `netlib report`); it is never clinical input.
    take_patient_id(values)
    from .measurements import FIELD as MEASUREMENTS, read_measurements

    read_measurements(values.pop(MEASUREMENTS, None))  # serial scans: validated, charted by `netlib report` only
    for key, value in vars(args).items():
        if key.startswith("field_") and value is not None:
            values[key[len("field_"):]] = value
    result = recommend(values)
    fmt = args.format or ("json" if args.json else "text")
    if fmt == "json":
        dump_json(result.as_dict(), sys.stdout)
    elif fmt == "cds-hooks":
        dump_json(cards(result), sys.stdout)
    else:
        sys.stdout.write(format_recommendations(result))
    return EXIT_OK


def cmd_rules(argv: Sequence[str]) -> int:
    from .pathway import rules_table

    parser = _Parser(prog="netlib rules", description="Print the decision tables.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = rules_table()
    if args.json:
        dump_json(rows, sys.stdout)
        return EXIT_OK
    current = None
    for row in rows:
        if row["table"] != current:
            current = row["table"]
            sys.stdout.write(f"\n== {current}\n")
        sys.stdout.write(f"{row['id']:<7} {row['tier']:<32} {row['option']}\n"
                         f"        if {row['conditions']}\n        {row['rationale']} [{row['citations']}]\n")
    return EXIT_OK


def cmd_cohort(argv: Sequence[str]) -> int:
    from .cohort import run_cohort

    parser = _Parser(prog="netlib cohort", description="Evaluate many patients from a CSV file (one row each; "
                                                       "column names are patient fields, optional patient_id).",
                     epilog=EXIT_STATUS_HELP)
    parser.add_argument("csv", help="input CSV (UTF-8; one patient a row)")
    parser.add_argument("-o", "--output", required=True,
                        help="output CSV (a new regular file, not the input; cells a spreadsheet would run as "
                             "formulas are prefixed with ')")
    parser.add_argument("--force", action="store_true", help="overwrite an existing output file")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    summary = run_cohort(args.csv, args.output, force=args.force, progress=not args.no_progress)
    sys.stderr.write(f"netlib cohort: {summary['rows']} patients, {summary['errors']} with input errors, "
                     f"written to {args.output}\n")
    return EXIT_SOME_FAILED if summary["errors"] else EXIT_OK


def cmd_report(argv: Sequence[str]) -> int:
    from .report import cmd_report as run  # report imports netlib.files, never this module

    return run(argv)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"calc": cmd_calc, "recommend": cmd_recommend, "rules": cmd_rules, "cohort": cmd_cohort,
                "report": cmd_report}
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(f"netlib {__version__}: executable guideline for low-grade neuroendocrine tumours.\n"
                         f"commands: {', '.join(commands)}; 'netlib COMMAND --help' for each.\n"
                         f"{EXIT_STATUS_HELP}.\n"
                         f"{NOT_A_MEDICAL_DEVICE}\n")
        return EXIT_OK
    if argv[0] == "--version":
        sys.stdout.write(f"netlib {__version__}\n")
        return EXIT_OK
    command = commands.get(argv[0])
    try:
        if command is None:
            raise UsageError(f"netlib: unknown command {argv[0]!r}; accepted: {', '.join(commands)}")
        status = command(argv[1:])
        sys.stdout.flush()  # a full disk or a closed pipe on stdout is reported here, not at exit
        return status
    except InputError as error:
        sys.stderr.write(f"netlib: error: {error_line(error)}\n")
        return EXIT_USAGE
    except UsageError as error:
        sys.stderr.write(f"{error}\n")
        return EXIT_USAGE
    except BrokenPipeError:  # the reader of our output went away (netlib ... | head)
        stdout_failed()
        return EXIT_OK
    except OSError as error:
        if error.filename is None:  # a write without a file name: stdout (files we open are named)
            stdout_failed()
            detail = f"{error.strerror or error} (while writing the output)"
        else:
            detail = os_error_line(error)
        sys.stderr.write(f"netlib: input/output error: {detail}\n")
        return EXIT_IO
    except KeyboardInterrupt:
        sys.stderr.write("netlib: interrupted\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
