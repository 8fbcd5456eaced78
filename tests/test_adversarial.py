"""Careless and hostile input to every command: each probe of the hardening issue is a test here.

What must hold for any input: the exit status is 0, 1, 2 or 74 (EXIT_IO); no traceback; an error is one
line naming the field or the line (or, for a whole-file problem, the file); nothing is written when the
input is bad; no file appears outside the output folder; a CSV cell a spreadsheet would execute is
neutralised.  Most tests call netlib.cli.main in-process (fast); a few run the real command.

The hypothesis fuzzers run about 300 examples by default; the ``slow`` ones generate 10,000 malformed
patient files and 10,000 malformed CSVs.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netlib import cli, cohort, files, report
from netlib.examples import PATIENT_EXAMPLES
from netlib.files import EXIT_IO, EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE
from netlib.inputs import InputError, number
from netlib.pathway import PATIENT_FORM

ROOT = Path(__file__).resolve().parents[1]
MIDGUT = PATIENT_EXAMPLES["progressive-midgut-on-ssa"]
FIELD_NAMES = [f.name for f in PATIENT_FORM.fields]
STATUSES = {EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_IO}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def call(capsys, *args: str):
    """netlib.cli.main in-process: (exit status, stdout, stderr)."""
    status = cli.main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def run(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "netlib.cli", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, **kwargs)


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def yaml_text(values: dict) -> str:
    return "".join(f"{name}: {json.dumps(value)}\n" for name, value in values.items())


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_output(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def spreadsheet_safe(cell: str) -> bool:
    return not cell or cell[0] not in FORMULA_STARTS or bool(PLAIN_NUMBER.fullmatch(cell))


# ---------------------------------------------------------------------------------------------
# CSV formula injection
# ---------------------------------------------------------------------------------------------

HOSTILE_IDS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd",
               "\t=1+1", "\r=1+1"]


def test_cohort_neutralises_cells_a_spreadsheet_would_execute(capsys, tmp_path):
    rows = [[pid, "pancreas", "well", "1.5", "localised"] for pid in HOSTILE_IDS]
    rows.append(["-3.5", "pancreas", "well", "1.5", "localised"])      # a plain number stays a number
    rows.append(["=1", "pancreas", "well", "=cmd()", "localised"])      # in an error message, too
    source = write_csv(tmp_path / "in.csv", ["patient_id", "primary_site", "differentiation", "ki67_percent",
                                             "extent"], rows)
    status, _, _ = call(capsys, "cohort", source, "-o", tmp_path / "out.csv", "--no-progress")
    assert status == EXIT_SOME_FAILED
    out = read_output(tmp_path / "out.csv")
    assert [r["patient_id"] for r in out] == ["'" + pid for pid in HOSTILE_IDS] + ["-3.5", "'=1"]
    assert all(spreadsheet_safe(cell) for row in out for cell in row.values())
    assert out[-1]["status"] == "error" and out[-1]["error_field"] == "ki67_percent"


@pytest.mark.parametrize("cell, expected", [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("-3.5", "-3.5"), ("+2", "+2"), ("-1e3", "-1e3"), ("-", "'-"), ("-٣", "'-٣"), ("P-1", "P-1"), ("", ""),
    ("pancreas", "pancreas"),
])
def test_neutralise_cell_follows_the_owasp_rule_and_keeps_numbers(cell, expected):
    assert files.neutralise_cell(cell) == expected


def test_neutralise_row_neutralises_each_cell_as_neutralise_cell_does():
    cells = ["=1+1", "+1+1", "-1+1", "@x", "\tx", "\rx", "-3.5", "+2", "-", "-٣", "P-1", "", "'", "'=1",
             "pancreas", " =1", "=", "@", "\t", "\r", "+"]
    assert files.neutralise_row(cells) == [files.neutralise_cell(cell) for cell in cells]
    assert files.neutralise_row(iter(["=x", "x"])) == ["'=x", "x"]  # any iterable of cells, e.g. dict values


# ---------------------------------------------------------------------------------------------
# YAML alias bomb, huge files, deep nesting
# ---------------------------------------------------------------------------------------------

BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
patient_id: [*f,*f,*f,*f,*f,*f,*f,*f,*f]
ki67_percent: [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""


def test_yaml_alias_bomb_is_refused_at_once(capsys, tmp_path):
    source = tmp_path / "bomb.yaml"
    source.write_text(BOMB, encoding="utf-8")
    started = time.perf_counter()
    status, out, err = call(capsys, "recommend", source)
    assert time.perf_counter() - started < 5
    assert status == EXIT_USAGE and out == ""
    line = one_line(err)
    assert "line 1" in line and "aliases" in line


def test_yaml_alias_bomb_in_a_report_writes_nothing(capsys, tmp_path, no_kernel):
    source = tmp_path / "bomb.yaml"
    source.write_text(BOMB, encoding="utf-8")
    status, _, err = call(capsys, "report", source, "-o", tmp_path / "out" / "r.html")
    assert status == EXIT_USAGE and "aliases" in one_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.yaml"]


def test_a_single_anchor_is_refused_too(capsys, tmp_path):
    source = tmp_path / "p.yaml"
    source.write_text(yaml_text(MIDGUT) + "patient_id: &x P1\n", encoding="utf-8")
    status, _, err = call(capsys, "recommend", source)
    assert status == EXIT_USAGE and "anchors" in one_line(err)


def test_a_file_over_the_size_limit_is_refused_before_parsing(capsys, tmp_path):
    source = tmp_path / "many.yaml"
    with source.open("w", encoding="utf-8") as handle:  # 2 million keys, about 20 MB
        for number_ in range(2_000_000):
            handle.write(f"k{number_}: 1\n")
    started = time.perf_counter()
    status, _, err = call(capsys, "recommend", source)
    assert time.perf_counter() - started < 5
    assert status == EXIT_USAGE and f"{files.MAX_PATIENT_FILE_BYTES:,} bytes" in one_line(err)


def test_too_many_values_under_the_size_limit_are_refused(capsys, tmp_path):
    source = tmp_path / "many.yaml"
    source.write_text("".join(f"k{n}: 1\n" for n in range(files.MAX_YAML_NODES)), encoding="utf-8")
    status, _, err = call(capsys, "recommend", source)
    assert status == EXIT_USAGE and f"more than {files.MAX_YAML_NODES:,} values" in one_line(err)


@pytest.mark.parametrize("name, text", [
    ("deep.json", "[" * 100_000 + "]" * 100_000),
    ("deep2.json", '{"a":' * 50 + "1" + "}" * 50),
    ("deep.yaml", "a: " + "[" * 100_000 + "]" * 100_000),
    ("deep2.yaml", "".join("  " * level + f"k{level}:\n" for level in range(40)) + "  " * 40 + "x: 1\n"),
])
def test_deep_nesting_is_one_line(capsys, tmp_path, name, text):
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    status, _, err = call(capsys, "recommend", source)
    assert status == EXIT_USAGE and f"nested more than {files.MAX_NESTING_DEPTH} levels" in one_line(err)


def test_scans_nested_three_levels_are_read():
    path = Path(tempfile.mkdtemp()) / "p.yaml"
    path.write_text("measurements:\n  - {date: 2025-09-01, sum_diameters_mm: 42}\n"
                    "  - {date: 2025-12-02, sum_diameters_mm: 47.5}\n", encoding="utf-8")
    assert files.load_patient_file(path) == {"measurements": [{"date": "2025-09-01", "sum_diameters_mm": 42},
                                                              {"date": "2025-12-02", "sum_diameters_mm": 47.5}]}


# ---------------------------------------------------------------------------------------------
# Encodings and numbers: one line, never a traceback
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, data, words", [
    ("latin1.yaml", "primary_site: pancr\xe9as\n".encode("latin-1"), ["line 1", "not UTF-8"]),
    ("utf16.yaml", "ki67_percent: 5\n".encode("utf-16"), ["UTF-16"]),
    ("utf16.json", '{"ki67_percent": 5}'.encode("utf-16"), ["UTF-16"]),
    ("binary.json", bytes(range(256)) * 4, ["binary"]),
    ("control.yaml", b"primary_site: pan\x07creas\n", ["not valid YAML"]),
    ("empty.yaml", b"", ["mapping"]),
    ("list.json", b"[1, 2]", ["mapping"]),
    ("nan.json", b'{"ki67_percent": NaN}', ["NaN"]),
    ("tag.yaml", b"x: !!python/object/apply:os.system ['echo hi']\n", ["line 1", "tag"]),
    ("merge.yaml", b"<<: {ki67_percent: 5}\n", ["line 1", "merge"]),
    ("key.yaml", b"[1, 2]: 5\n", ["line 1", "not text"]),
])
def test_unreadable_patient_files_are_one_line(capsys, tmp_path, name, data, words):
    source = tmp_path / name
    source.write_bytes(data)
    status, out, err = call(capsys, "recommend", source)
    assert status == EXIT_USAGE and out == ""
    line = one_line(err)
    assert all(word in line for word in words), line


@pytest.mark.parametrize("name, text", [
    ("big.yaml", "ki67_percent: " + "9" * 400 + "\n"),
    ("big.json", '{"ki67_percent": ' + "9" * 400 + "}"),
    ("huge.json", '{"ki67_percent": ' + "9" * 5000 + "}"),  # past Python's own 4,300-digit int() limit
    ("negative.yaml", "ki67_percent: -" + "9" * 400 + "\n"),
])
def test_integers_with_hundreds_of_digits_are_a_field_error(capsys, tmp_path, name, text):
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    status, _, err = call(capsys, "recommend", source)
    line = one_line(err)
    assert status == EXIT_USAGE and "ki67_percent" in line and "more than 30 digits" in line
    assert len(line) < 250  # the value is shortened


def test_a_long_value_is_shortened_in_the_message(capsys, tmp_path):
    source = tmp_path / "p.yaml"
    source.write_text(f"primary_site: {'x' * 500_000}\n", encoding="utf-8")
    status, _, err = call(capsys, "recommend", source)
    line = one_line(err)
    assert status == EXIT_USAGE and "primary_site" in line and "…" in line and len(line) < 400
    assert "one of" in line  # what is accepted


def test_a_batch_folder_with_unreadable_files_loses_no_other_patient(tmp_path):
    folder = tmp_path / "patients"
    folder.mkdir()
    (folder / "a-good.yaml").write_text(yaml_text(MIDGUT), encoding="utf-8")
    (folder / "b-utf16.yaml").write_bytes("ki67_percent: 5\n".encode("utf-16"))
    (folder / "c-bomb.yaml").write_text(BOMB, encoding="utf-8")
    (folder / "d-deep.json").write_text("[" * 10_000 + "]" * 10_000, encoding="utf-8")
    (folder / "e-id.yaml").write_text(yaml_text(MIDGUT) + "patient_id: [1, 2]\n", encoding="utf-8")
    patients = report.read_batch(folder)
    assert [p.patient_id for p in patients] == ["a-good", "b-utf16", "c-bomb", "d-deep", "e-id"]
    assert patients[0].error is None
    assert all(p.error and p.error_field == "file" and "\n" not in p.error for p in patients[1:])


# ---------------------------------------------------------------------------------------------
# Outputs: OSError is one line and exit 74; output = input and device files refused
# ---------------------------------------------------------------------------------------------

GOOD_HEADER = ["patient_id", "primary_site", "differentiation", "ki67_percent", "extent"]
GOOD_ROW = ["P1", "pancreas", "well", "1.5", "localised"]


def test_output_equal_to_the_input_is_refused_even_with_force(capsys, tmp_path):
    source = write_csv(tmp_path / "x.csv", GOOD_HEADER, [GOOD_ROW])
    before = source.read_bytes()
    status, _, err = call(capsys, "cohort", source, "-o", source, "--force")
    assert status == EXIT_USAGE and "is the input" in one_line(err)
    os.link(source, tmp_path / "alias.csv")  # the same file under another name
    status, _, err = call(capsys, "cohort", source, "-o", tmp_path / "alias.csv", "--force")
    assert status == EXIT_USAGE and "is the input" in one_line(err)
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alias.csv", "x.csv"]


def test_a_device_is_never_replaced(capsys, tmp_path):
    source = write_csv(tmp_path / "x.csv", GOOD_HEADER, [GOOD_ROW])
    before = os.stat("/dev/null")
    status, _, err = call(capsys, "cohort", source, "-o", "/dev/null", "--force")
    assert status == EXIT_USAGE and "not a regular file" in one_line(err)
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


@pytest.mark.parametrize("where", ["folder", "under a file"])
def test_an_output_that_cannot_be_a_file_is_one_line(capsys, tmp_path, where):
    source = write_csv(tmp_path / "x.csv", GOOD_HEADER, [GOOD_ROW])
    (tmp_path / "folder").mkdir()
    target = tmp_path / "folder" if where == "folder" else source / "out.csv"
    status, _, err = call(capsys, "cohort", source, "-o", target, "--force")
    assert status == EXIT_USAGE and str(target) in one_line(err)


def test_an_oserror_while_writing_is_exit_74_and_leaves_nothing(capsys, tmp_path, monkeypatch):
    source = write_csv(tmp_path / "x.csv", GOOD_HEADER, [GOOD_ROW] * 3)
    real = os.fsync

    def full(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    status, _, err = call(capsys, "cohort", source, "-o", tmp_path / "out.csv")
    monkeypatch.setattr(files.os, "fsync", real)
    line = one_line(err)
    assert status == EXIT_IO and "No space left on device" in line and "out.csv" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]


def test_an_unwritable_folder_is_exit_74(capsys, tmp_path, monkeypatch):
    source = write_csv(tmp_path / "x.csv", GOOD_HEADER, [GOOD_ROW])

    def denied(*_args, **_kwargs):  # as a read-only folder answers (root is never refused, so simulated)
        raise PermissionError(13, "Permission denied", str(tmp_path / "ro" / ".out.csv.x.part"))

    monkeypatch.setattr(files.tempfile, "mkstemp", denied)
    status, _, err = call(capsys, "cohort", source, "-o", tmp_path / "ro" / "out.csv")
    line = one_line(err)
    assert status == EXIT_IO and "Permission denied" in line and line.endswith("out.csv")


def test_an_unreadable_patient_file_is_exit_74(capsys, tmp_path, monkeypatch):
    source = tmp_path / "p.yaml"
    source.write_text(yaml_text(MIDGUT), encoding="utf-8")
    real_open = Path.open

    def failing(self, *args, **kwargs):
        if self == source:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", failing)
    status, _, err = call(capsys, "recommend", source)
    assert status == EXIT_IO and "Permission denied" in one_line(err)


def test_stdout_on_a_full_disk_is_exit_74():
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "netlib.cli", "rules"], cwd=ROOT, stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == EXIT_IO
    assert "No space left on device" in one_line(done.stderr)


def test_help_documents_the_exit_statuses(capsys):
    status, out, _ = call(capsys, "--help")
    assert status == EXIT_OK and f"{EXIT_IO} a file could not be read or written" in out


# ---------------------------------------------------------------------------------------------
# Strict CSV: unterminated quote, short and long rows, BOM
# ---------------------------------------------------------------------------------------------

def test_an_unterminated_quote_refuses_the_file_and_writes_nothing(capsys, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("patient_id,primary_site,differentiation\nP1,pancreas,well\n\"P2,pancreas,well\n"
                      "P3,pancreas,well\nP4,pancreas,well\n", encoding="utf-8")
    status, _, err = call(capsys, "cohort", source, "-o", tmp_path / "out" / "out.csv")
    line = one_line(err)
    assert status == EXIT_USAGE and "line 3" in line and "unterminated quote" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_a_stray_quote_names_its_line(capsys, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text('patient_id,primary_site\nP1,pancreas\n"P2"x,pancreas\n', encoding="utf-8")
    status, _, err = call(capsys, "cohort", source, "-o", tmp_path / "out.csv")
    assert status == EXIT_USAGE and "line 3" in one_line(err)


def test_short_and_long_rows_are_error_rows_naming_their_line(capsys, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("patient_id,primary_site,differentiation,ki67_percent,extent\n"
                      "P1,pancreas,well,1.5,localised\n"
                      "P2,pancreas,well\n"                       # two cells short
                      "P3,pancreas,well,1,5,localised\n"          # a decimal comma: one cell too many
                      "P4,pancreas,well,1.5,localised\n", encoding="utf-8")
    status, _, _ = call(capsys, "cohort", source, "-o", tmp_path / "out.csv", "--no-progress")
    assert status == EXIT_SOME_FAILED
    out = read_output(tmp_path / "out.csv")
    assert [r["status"] for r in out] == ["ok", "error", "error", "ok"]
    assert out[1]["error_field"] == "row" and "line 3" in out[1]["error"] and "fewer" in out[1]["error"]
    assert out[2]["error_field"] == "row" and "line 4" in out[2]["error"] and "more" in out[2]["error"]


def test_report_batch_csv_is_read_as_strictly(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("patient_id,primary_site,differentiation\nP1,pancreas\nP2,pancreas,well\n", encoding="utf-8")
    first, second = report.read_csv_patients(source)
    assert first.error_field == "row" and "line 2" in first.error and second.error is None
    source.write_text('patient_id,primary_site\n"P1,pancreas\nP2,pancreas\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        report.read_csv_patients(source)


def test_a_cell_past_the_limit_is_refused(capsys, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("patient_id,primary_site\n\"" + "x" * (files.MAX_CSV_FIELD_CHARS + 10) + "\",pancreas\n",
                      encoding="utf-8")
    status, _, err = call(capsys, "cohort", source, "-o", tmp_path / "out.csv")
    assert status == EXIT_USAGE and "line 2" in one_line(err)
    assert csv.field_size_limit() != files.MAX_CSV_FIELD_CHARS  # the process-wide limit is restored


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".csv"])
def test_a_byte_order_mark_is_accepted(capsys, tmp_path, suffix):
    source = tmp_path / f"p{suffix}"
    if suffix == ".csv":
        text = ",".join(GOOD_HEADER) + "\n" + ",".join(GOOD_ROW) + "\n"
        args = ["cohort", source, "-o", tmp_path / "out.csv", "--no-progress"]
    else:
        text = yaml_text(MIDGUT) if suffix == ".yaml" else json.dumps(MIDGUT)
        args = ["recommend", source]
    source.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    status, _, err = call(capsys, *args)
    assert status == EXIT_OK, err


# ---------------------------------------------------------------------------------------------
# Signals: SIGTERM to a cohort leaves no temporary file
# ---------------------------------------------------------------------------------------------

def test_sigterm_to_a_cohort_leaves_no_partial_file(tmp_path):
    row = ",".join(GOOD_ROW[1:]) + "\n"
    source = tmp_path / "in.csv"
    source.write_text("primary_site,differentiation,ki67_percent,extent\n" + row * 200_000, encoding="utf-8")
    outdir = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen([sys.executable, "-m", "netlib.cli", "cohort", str(source), "-o",
                                str(outdir / "out.csv"), "--no-progress"], cwd=ROOT, env=env,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (outdir.exists() and any(outdir.iterdir())) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # mid-run: the temporary file is being written
    assert process.poll() is None, "the cohort finished before it could be stopped; make the CSV larger"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM
    assert "Traceback" not in stderr
    assert not outdir.exists()  # no partial file, and the folder made for it is gone too


# ---------------------------------------------------------------------------------------------
# Silent misreadings
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, text, field", [
    ("dup.yaml", "ki67_percent: 5\nki67_percent: 50\n", "ki67_percent"),
    ("dup.json", '{"ki67_percent": 5, "ki67_percent": 50}', "ki67_percent"),
    ("nested-dup.yaml", "measurements:\n  - {date: 2025-01-01, date: 2025-02-01}\n", "date"),
])
def test_duplicate_keys_are_refused(capsys, tmp_path, name, text, field):
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    status, _, err = call(capsys, "recommend", source)
    line = one_line(err)
    assert status == EXIT_USAGE and f"'{field}' is given twice" in line


@pytest.mark.parametrize("text, expected", [
    ("a: 1:30", "1:30"),            # YAML 1.1 base 60 would be 90
    ("a: 1_0", "1_0"),              # YAML 1.1 would be 10
    ("a: yes", "yes"), ("a: no", "no"), ("a: on", "on"), ("a: off", "off"), ("a: Y", "Y"),
    ("a: true", True), ("a: False", False),
    ("a: 012", 12),                 # YAML 1.1 octal would be 10
    ("a: 0x1A", "0x1A"), ("a: 0o17", "0o17"),
    ("a: 2025-09-01", "2025-09-01"),  # a date stays text
    ("a: 1.5", 1.5), ("a: -2", -2), ("a: .5", 0.5), ("a: 1e3", 1000.0),
    ("a: .inf", ".inf"), ("a: .nan", ".nan"),
    ("a: ~", None), ("a: null", None), ("a:", None),
    ("a: '5'", "5"), ('a: "true"', "true"),
])
def test_yaml_scalars_are_read_as_yaml_1_2_core(tmp_path, text, expected):
    source = tmp_path / "p.yaml"
    source.write_text(text + "\n", encoding="utf-8")
    value = files.load_patient_file(source)["a"]
    assert value == expected and type(value) is type(expected)


def test_base_60_age_is_a_field_error(capsys, tmp_path):
    source = tmp_path / "p.yaml"
    source.write_text(yaml_text({**MIDGUT, "age_years": 0}).replace("age_years: 0", "age_years: 1:30"),
                      encoding="utf-8")
    status, _, err = call(capsys, "recommend", source)
    assert status == EXIT_USAGE and "age_years" in one_line(err) and "'1:30'" in err


@pytest.mark.parametrize("value", ["1_0", "١٠", "٣", "1 0", "inf", "nan", "Infinity", "0x10", "1e", "--1", "𝟓"])
def test_numbers_on_the_command_line_are_plain_ascii_decimals(capsys, value):
    status, _, err = call(capsys, "calc", "who_gep_grade", "--differentiation", "well", "--ki67_percent", value)
    assert status == EXIT_USAGE and "ki67_percent" in one_line(err)


def test_a_decimal_comma_gets_a_hint(capsys):
    status, _, err = call(capsys, "calc", "who_gep_grade", "--differentiation", "well", "--ki67_percent", "3,5")
    assert status == EXIT_USAGE
    assert "use a point as the decimal separator (3.5)" in one_line(err)


def test_arabic_indic_digits_in_a_csv_are_an_error_row(capsys, tmp_path):
    source = write_csv(tmp_path / "in.csv", GOOD_HEADER, [["P1", "pancreas", "well", "٣", "localised"]])
    status, _, _ = call(capsys, "cohort", source, "-o", tmp_path / "out.csv", "--no-progress")
    (row,) = read_output(tmp_path / "out.csv")
    assert status == EXIT_SOME_FAILED and row["error_field"] == "ki67_percent"


REFUSED = "refused"


@pytest.mark.parametrize("text, expected", [
    ("3", 3.0), (" 3.5 ", 3.5), ("-0", -0.0), ("+2", 2.0), ("1e1", 10.0), ("1.", 1.0), (".5", 0.5),
    ("1" * 30, float("1" * 30)),                        # 30 integer digits: the most accepted
    ("1" * 31, REFUSED), ("0" * 40 + "1", REFUSED),     # more
    ("1e400", REFUSED), ("-1e400", REFUSED),            # overflow to infinity
])
def test_the_number_parser(text, expected):
    field = number("x", "X", "", -1e40, 1e40)
    if expected == REFUSED:
        with pytest.raises(InputError, match="x must be"):
            field.validate(text)
    else:
        assert field.validate(text) == expected


def test_python_integers_with_hundreds_of_digits_are_refused_not_overflowing():
    field = number("x", "X", "", 0, 100)
    with pytest.raises(InputError, match="more than 30 digits"):
        field.validate(10 ** 400)
    from netlib.pathway import recommend
    with pytest.raises(InputError, match="ki67_percent"):
        recommend({**MIDGUT, "ki67_percent": -(10 ** 400)})


@pytest.mark.parametrize("args", [
    ["calc", "who_gep_grade", "--differentiation", "well", "--ki67_percent", "3", "--ki67_percent", "50"],
    ["calc", "who_gep_grade", "--differentiation", "well", "--ki67_percent", "3", "--ki67-percent", "50"],
    ["calc", "who_gep_grade", "--differentiation", "well", "--ki67_percent", "3", "--json", "--json"],
    ["recommend", "--primary_site", "pancreas", "--primary_site", "small_intestine"],
    ["recommend", "--format", "json", "--format", "text"],
    ["cohort", "a.csv", "-o", "x.csv", "--output", "y.csv"],
    ["report", "p.yaml", "-o", "a.html", "-o", "b.html"],
])
def test_a_repeated_option_is_an_error_naming_it(capsys, args):
    status, _, err = call(capsys, *args)
    assert status == EXIT_USAGE and "more than once" in one_line(err)


def test_options_are_not_abbreviated(capsys):
    status, _, err = call(capsys, "calc", "who_gep_grade", "--differentiation", "well", "--ki67", "3")
    assert status == EXIT_USAGE and "--ki67" in one_line(err)


def test_report_workers_must_be_ascii_digits(capsys, tmp_path, no_kernel):
    status, _, err = call(capsys, "report", "--batch", tmp_path, "-o", tmp_path / "out", "--workers", "1_0")
    assert status == EXIT_USAGE and "--workers" in one_line(err)


def test_json_output_is_strict_json():
    buffer = io.StringIO()
    files.dump_json({"a": float("inf"), "b": [float("nan"), 1.5], "c": -float("inf")}, buffer)

    def refuse(name):
        raise AssertionError(f"{name} in the output")

    assert json.loads(buffer.getvalue(), parse_constant=refuse) == {"a": None, "b": [None, 1.5], "c": None}


def test_json_output_of_every_command_is_strict_json(capsys):
    from netlib.calculators import all_calculators
    from netlib.examples import CALCULATOR_EXAMPLES

    def refuse(name):
        raise AssertionError(f"{name} in the output")

    for calculator in all_calculators():
        flags = []
        for name, value in CALCULATOR_EXAMPLES[calculator.id].items():
            flags += [f"--{name}", ("yes" if value else "no") if isinstance(value, bool) else str(value)]
        status, out, err = call(capsys, "calc", calculator.id, *flags, "--json")
        assert status == EXIT_OK, err
        json.loads(out, parse_constant=refuse)


# ---------------------------------------------------------------------------------------------
# patient_id everywhere; evaluate_row does not change its argument
# ---------------------------------------------------------------------------------------------

def test_patient_id_is_accepted_by_recommend_report_and_cohort(capsys, tmp_path):
    source = tmp_path / "p.yaml"
    source.write_text("patient_id: P-7\n" + yaml_text(MIDGUT), encoding="utf-8")
    assert call(capsys, "recommend", source)[0] == EXIT_OK
    assert report.read_patient_file(source).patient_id == "P-7"
    assert "patient_id" not in report.read_patient_file(source).values
    csv_source = write_csv(tmp_path / "in.csv", GOOD_HEADER, [GOOD_ROW])
    assert call(capsys, "cohort", csv_source, "-o", tmp_path / "out.csv", "--no-progress")[0] == EXIT_OK


def test_evaluate_row_does_not_change_its_argument():
    row = {"patient_id": "P1", "primary_site": "pancreas", "differentiation": "well", "ki67_percent": "1.5",
           "extent": "localised", None: ["extra"]}
    copy = {k: (list(v) if isinstance(v, list) else v) for k, v in row.items()}
    cohort.evaluate_row(row)
    assert row == copy
    good = {k: v for k, v in row.items() if k is not None}
    assert cohort.evaluate_row(good)["status"] == "ok" and good == {k: v for k, v in copy.items() if k is not None}


# ---------------------------------------------------------------------------------------------
# Fuzzers
# ---------------------------------------------------------------------------------------------

_SCALARS = st.one_of(
    st.text(max_size=30), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["yes", "no", "on", "1:30", "1_0", "٣", "3,5", "0x1f", "~", "&a x", "*a", "!!binary AA==",
                     "=cmd()", "1" * 400, "[", "{", "'", '"', "- x", "? x", "%YAML 1.1", "---", "...", "\t"]))


@st.composite
def patient_files(draw):
    """(suffix, bytes): a valid patient, then broken in one of many ways."""
    suffix = draw(st.sampled_from([".yaml", ".json"]))
    values = dict(draw(st.sampled_from(list(PATIENT_EXAMPLES.values()))))
    kind = draw(st.sampled_from(["value", "key", "splice", "bytes", "nesting", "duplicate", "encoding"]))
    if kind == "value":
        values[draw(st.sampled_from(FIELD_NAMES + ["patient_id", "measurements"]))] = draw(_SCALARS)
    elif kind == "key":
        values[draw(st.text(max_size=20))] = draw(_SCALARS)
    elif kind == "nesting":
        depth = draw(st.integers(1, 30))
        values[draw(st.sampled_from(FIELD_NAMES))] = json.loads("[" * depth + "1" + "]" * depth)
    if suffix == ".json":
        text = json.dumps(values, default=str)
    else:
        text = "".join(f"{name}: {draw(st.sampled_from([json.dumps(value, default=str), str(value)]))}\n"
                       for name, value in values.items())
    if kind == "duplicate":
        lines = text.splitlines(keepends=True) if suffix == ".yaml" else [text]
        text = "".join(lines + lines[:1]) if suffix == ".yaml" else text[:-1] + ", " + text[1:]
    data = text.encode("utf-8")
    if kind == "splice":
        start = draw(st.integers(0, len(text)))
        text = text[:start] + draw(st.text(max_size=20)) + text[start + draw(st.integers(0, 10)):]
        data = text.encode("utf-8", "surrogatepass")
    elif kind == "bytes":
        start = draw(st.integers(0, len(data)))
        data = data[:start] + draw(st.binary(min_size=1, max_size=8)) + data[start:]
    elif kind == "encoding":
        data = text.encode(draw(st.sampled_from(["utf-16", "latin-1", "utf-8-sig", "utf-32"])), "replace")
    return suffix, data


def _check_patient_file(suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"patient{suffix}"
        source.write_bytes(data)
        stderr = io.StringIO()
        stdout = io.StringIO()
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(stdout):
            status = cli.main(["recommend", str(source), "--json"])
        err = stderr.getvalue()
        assert status in STATUSES
        assert "Traceback" not in err
        if status == EXIT_OK:
            json.loads(stdout.getvalue())
        else:
            line = one_line(err)
            names = FIELD_NAMES + ["patient_id", "measurements", str(source)]
            assert re.search(r"line \d+", line) or any(name in line for name in names), line
            assert stdout.getvalue() == ""
        assert sorted(p.name for p in Path(folder).iterdir()) == [source.name]  # nothing written


@st.composite
def patient_csvs(draw):
    """CSV text: a header of patient fields (sometimes unknown ones), rows with random cells."""
    columns = draw(st.lists(st.sampled_from(FIELD_NAMES + ["patient_id"]), min_size=1, max_size=8, unique=True))
    if draw(st.integers(0, 9)) == 0:
        columns.append(draw(st.text(min_size=1, max_size=8)))
    cell = st.one_of(_SCALARS.map(str), st.sampled_from(["pancreas", "well", "1.5", "localised", "", '"', '""',
                                                         "a,b", "x\ny", "=1+1", "-2", "@x", "\t1"]))
    rows = draw(st.lists(st.lists(cell, min_size=0, max_size=len(columns) + 2), max_size=8))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    text = out.getvalue()
    if draw(st.booleans()):  # raw damage: a stray quote, a cut, bytes
        position = draw(st.integers(0, len(text)))
        text = text[:position] + draw(st.sampled_from(['"', "\n", ",", "\r", "\x00", "\ufeff", "'"])) + text[position:]
    return text


def _check_csv(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        inbox, outbox = Path(folder) / "in", Path(folder) / "out"
        inbox.mkdir()
        source = inbox / "cohort.csv"
        source.write_bytes(text.encode("utf-8", "surrogatepass"))
        target = outbox / "result.csv"
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            status = cli.main(["cohort", str(source), "-o", str(target), "--no-progress"])
        err = stderr.getvalue()
        assert status in STATUSES and "Traceback" not in err
        assert sorted(p.name for p in inbox.iterdir()) == ["cohort.csv"]   # nothing beside the input
        assert sorted(p.name for p in Path(folder).iterdir()) == (["in", "out"] if outbox.exists() else ["in"])
        if status in (EXIT_OK, EXIT_SOME_FAILED):
            assert sorted(p.name for p in outbox.iterdir()) == ["result.csv"]
            rows = read_output(target)
            for row in rows:
                assert all(spreadsheet_safe(value) for value in row.values()), row
                if row["status"] == "error":
                    assert row["error_field"] and row["error"]
                    assert row["error_field"] != "row" or re.search(r"line \d+", row["error"])
        else:
            assert not outbox.exists() or list(outbox.iterdir()) == []  # nothing written
            line = one_line(err)
            assert re.search(r"line \d+", line) or any(name in line for name in FIELD_NAMES), line


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.data_too_large])
FUZZ_SLOW = settings(FUZZ, max_examples=10_000)


@FUZZ
@given(patient_files())
def test_fuzz_patient_files_recommend(case):
    _check_patient_file(*case)


@FUZZ
@given(patient_csvs())
def test_fuzz_cohort_csv(text):
    _check_csv(text)


@pytest.mark.slow
@FUZZ_SLOW
@given(patient_files())
def test_fuzz_patient_files_many(case):
    _check_patient_file(*case)


@pytest.mark.slow
@FUZZ_SLOW
@given(patient_csvs())
def test_fuzz_cohort_csv_many(text):
    _check_csv(text)


@pytest.mark.parametrize("name", ["bomb.yaml", "utf16.yaml", "deep.json", "big.json"])
def test_real_command_line_on_hostile_files(tmp_path, name):
    data = {"bomb.yaml": BOMB.encode(), "utf16.yaml": "ki67_percent: 5\n".encode("utf-16"),
            "deep.json": b"[" * 100_000 + b"]" * 100_000, "big.json": b'{"ki67_percent": ' + b"9" * 5000 + b"}"}[name]
    source = tmp_path / name
    source.write_bytes(data)
    for args in (["recommend", source], ["report", source, "-o", tmp_path / "r.html"]):
        done = run(*args)
        assert done.returncode == EXIT_USAGE, done.stderr
        one_line(done.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
