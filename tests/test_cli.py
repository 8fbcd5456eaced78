"""Tests for the command line: `netlib calc`, `netlib recommend`, `netlib rules`, `netlib cohort`.

Most tests call netlib.cli.main in-process (capsys); a few run `python -m netlib.cli` in a
subprocess to check the real entry point and exit status.  Bad input must exit with status 2 and one
line naming the field; a cohort with failed rows exits with status 1.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import netlib.calculators
from netlib import NOT_A_MEDICAL_DEVICE, cohort
from netlib.cli import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, main
from netlib.examples import CALCULATOR_EXAMPLES
from netlib.pathway import PATIENT_FORM, recommend, rules_table

ROOT = Path(__file__).resolve().parents[1]
CALCULATORS = netlib.calculators.all_calculators()

# Synthetic patients (the seed guideline's scenarios).
LOCALISED_PANCREATIC_G1 = {
    "primary_site": "pancreas", "differentiation": "well", "ki67_percent": 1.5, "extent": "localised",
    "tumour_size_cm": 1.4, "functioning_syndrome": "none",
    "resectable": True, "sstr_imaging": "pet", "krenning_score": 3, "disease_status": "newly_diagnosed"}
PROGRESSIVE_MIDGUT_ON_SSA = {
    "primary_site": "small_intestine", "differentiation": "well", "ki67_percent": 6.0, "extent": "metastatic",
    "resectable": False, "sstr_imaging": "pet", "krenning_score": 4, "tumour_burden": "high",
    "functioning_syndrome": "none", "disease_status": "progressive", "prior_ssa": "progressed", "karnofsky_percent": 90,
    "age_years": 62, "sex": "male", "weight_kg": 80, "creatinine_mg_dl": 0.9, "haemoglobin_g_dl": 13.2,
    "wbc_10e9_l": 6.1, "platelets_10e9_l": 240, "bilirubin_x_uln": 0.6, "albumin_g_dl": 4.1,
    "prothrombin_time_normal": True}
NEC = {"primary_site": "pancreas", "differentiation": "poor", "ki67_percent": 70, "extent": "metastatic"}
INCOMPLETE = {"extent": "metastatic", "primary_site": "small_intestine"}


def run(*args: str):
    """`python -m netlib.cli ARGS` from the repository root."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "netlib.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def call(capsys, *args: str):
    """netlib.cli.main in-process: (exit status, stdout, stderr)."""
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def cli_value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def flags(values: dict) -> list[str]:
    out = []
    for name, value in values.items():
        out += [f"--{name}", cli_value(value)]
    return out


def write_yaml(path: Path, values: dict) -> Path:
    lines = [f"{name}: {json.dumps(value)}" for name, value in values.items()]  # JSON scalars are YAML
    path.write_text("# synthetic patient\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def as_json(obj):
    return json.loads(json.dumps(obj, default=str))


# ---------------------------------------------------------------------------------------------
# netlib calc
# ---------------------------------------------------------------------------------------------

def test_calc_list_shows_every_registered_id(capsys):
    status, out, _ = call(capsys, "calc", "--list")
    assert status == EXIT_OK
    ids = [line.split()[0] for line in out.strip().splitlines()]
    assert len(ids) == len(CALCULATORS)
    assert ids == [c.id for c in CALCULATORS]


def test_calc_list_json(capsys):
    status, out, _ = call(capsys, "calc", "--list", "--json")
    assert status == EXIT_OK
    listed = json.loads(out)
    assert len(listed) == len(CALCULATORS) and {row["id"] for row in listed} == set(CALCULATOR_EXAMPLES)


@pytest.mark.parametrize("calculator", CALCULATORS, ids=lambda c: c.id)
def test_calc_help_shows_every_field_with_unit_and_range(capsys, calculator):
    with pytest.raises(SystemExit) as exited:
        main(["calc", calculator.id, "--help"])
    assert exited.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    for field in calculator.fields:
        assert f"--{field.name}" in text
        assert " ".join(field.accepted().split()) in text, field.name
        if field.unit:
            assert f"({field.unit})" in text, field.name


def _out_of_range(field) -> str:
    if field.kind == "choice":
        return "no_such_choice"
    if field.kind == "boolean":
        return "maybe"
    if field.maximum is not None:
        return str(int(field.maximum) + 1)
    return str(int(field.minimum) - 1)


@pytest.mark.parametrize("calculator", CALCULATORS, ids=lambda c: c.id)
def test_calc_bad_value_exits_2_with_one_line_naming_field_value_and_range(capsys, calculator):
    # A number out of range where the form has one; otherwise a choice or yes/no that is not accepted.
    field = next((f for f in calculator.fields if f.kind in ("number", "integer")), calculator.fields[0])
    values = {**CALCULATOR_EXAMPLES[calculator.id], field.name: _out_of_range(field)}
    status, out, err = call(capsys, "calc", calculator.id, *flags(values))
    assert status == EXIT_USAGE and out == ""
    line = one_line(err)
    assert field.name in line and _out_of_range(field) in line and field.accepted() in line


def test_calc_non_number_and_unknown_calculator_exit_2(capsys):
    status, _, err = call(capsys, "calc", "who_gep_grade", "--differentiation", "well", "--ki67_percent", "abc")
    assert status == EXIT_USAGE and "ki67_percent" in one_line(err) and "abc" in err
    status, _, err = call(capsys, "calc", "who_gep_grad")
    assert status == EXIT_USAGE and "who_gep_grad" in one_line(err)
    status, _, err = call(capsys, "calc", "who_gep_grade", "--no-such-field", "1")
    assert status == EXIT_USAGE and "--no-such-field" in one_line(err)


@pytest.mark.parametrize("calculator", CALCULATORS, ids=lambda c: c.id)
def test_calc_json_output_is_the_calculator_result(calculator):
    example = CALCULATOR_EXAMPLES[calculator.id]
    done = run("calc", calculator.id, *flags(example), "--json")
    assert done.returncode == EXIT_OK, done.stderr
    assert json.loads(done.stdout) == as_json(calculator(**example).as_dict())


def test_calc_text_output():
    done = run("calc", "who_gep_grade", "--differentiation", "well", "--ki67-percent", "3")
    assert done.returncode == EXIT_OK
    assert done.stdout.splitlines()[0] == "NET G2"  # WHO 2019: Ki-67 exactly 3 % is G2
    assert "sources: nagtegaal2020who" in done.stdout


def test_calc_output_follows_a_redirected_stdout():
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        main(["calc", "who_gep_grade", "--differentiation", "well", "--ki67_percent", "3"])
    assert buffer.getvalue().startswith("NET G2")


def test_calc_through_the_module_entry_point():
    done = run("calc", "who_gep_grade", "--differentiation", "well", "--ki67_percent", "120")
    assert done.returncode == EXIT_USAGE
    assert "ki67_percent" in one_line(done.stderr) and "120" in done.stderr


# ---------------------------------------------------------------------------------------------
# netlib recommend
# ---------------------------------------------------------------------------------------------

def test_recommend_text_from_yaml(capsys, tmp_path):
    status, out, _ = call(capsys, "recommend", str(write_yaml(tmp_path / "p.yaml", LOCALISED_PANCREATIC_G1)))
    assert status == EXIT_OK
    assert out.startswith("Pathway: low-grade NET")
    # ENETS 2023: an asymptomatic non-functioning pNET of 1.4 cm, G1, is watched first; resection is the alternative.
    assert "1. Active surveillance (watch and wait) [preferred" in out and "2. Surgical resection [other" in out
    assert "Not recommended:" in out and "CAR-T" in out
    assert out.rstrip().endswith(NOT_A_MEDICAL_DEVICE)


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
@pytest.mark.parametrize("fmt", [["--json"], ["--format", "json"]])
def test_recommend_json_from_yaml_and_json_files(capsys, tmp_path, suffix, fmt):
    path = tmp_path / f"patient{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(PROGRESSIVE_MIDGUT_ON_SSA), encoding="utf-8")
    else:
        write_yaml(path, PROGRESSIVE_MIDGUT_ON_SSA)
    status, out, _ = call(capsys, "recommend", str(path), *fmt)
    assert status == EXIT_OK
    data = json.loads(out)
    assert data == as_json(recommend(PROGRESSIVE_MIDGUT_ON_SSA).as_dict())
    assert data["recommendations"][0]["option"] == "prrt_lu177_dotatate"  # NETTER-1


def test_recommend_from_flags_only(capsys):
    status, out, _ = call(capsys, "recommend", *flags(PROGRESSIVE_MIDGUT_ON_SSA), "--json")
    assert status == EXIT_OK
    assert json.loads(out) == as_json(recommend(PROGRESSIVE_MIDGUT_ON_SSA).as_dict())


def test_recommend_flags_override_the_file(capsys, tmp_path):
    path = write_yaml(tmp_path / "p.yaml", LOCALISED_PANCREATIC_G1)
    status, out, _ = call(capsys, "recommend", str(path), "--resectable", "no", "--json")
    assert status == EXIT_OK
    data = json.loads(out)
    assert data["facts"]["resectable"] == "no"
    assert "surgical_resection" not in [r["option"] for r in data["recommendations"]]
    # The dashed spelling works too.
    status, out, _ = call(capsys, "recommend", str(path), "--ki67-percent", "25", "--json")
    assert json.loads(out)["pathway"] == "NET G3"  # WHO 2019: above 20 % is G3


def _check_cds_hooks(response: dict) -> list[dict]:
    assert set(response) == {"cards"}
    cards = response["cards"]
    assert cards
    for card in cards:
        assert isinstance(card["summary"], str) and 0 < len(card["summary"]) < 140
        assert card["indicator"] in ("info", "warning", "critical")
        assert isinstance(card["source"]["label"], str) and card["source"]["label"].strip()
        uuid.UUID(card["uuid"])
        if "topic" in card["source"]:
            assert card["source"]["topic"]["code"] and card["source"]["topic"]["system"]
        if "detail" in card:
            assert isinstance(card["detail"], str)
        if card.get("suggestions"):
            assert card["selectionBehavior"] in ("at-most-one", "any")
            for suggestion in card["suggestions"]:
                assert suggestion["label"].strip()
                uuid.UUID(suggestion["uuid"])
    assert len({card["uuid"] for card in cards}) == len(cards)
    return cards


@pytest.mark.parametrize("patient", [LOCALISED_PANCREATIC_G1, PROGRESSIVE_MIDGUT_ON_SSA, NEC, INCOMPLETE],
                         ids=["localised", "progressive-midgut", "nec", "incomplete"])
def test_recommend_cds_hooks_cards_are_valid(capsys, patient):
    status, out, _ = call(capsys, "recommend", *flags(patient), "--format", "cds-hooks")
    assert status == EXIT_OK
    cards = _check_cds_hooks(json.loads(out))
    result = recommend(patient)
    info = [c for c in cards if c["indicator"] == "info"]
    assert len(info) == len(result.recommendations)
    if result.redirect:
        assert cards[0]["indicator"] == "critical"
    assert not any("CAR-T" in c["summary"] and c["indicator"] == "info" for c in cards)
    # Same patient, same cards (identifiers derived from content).
    assert call(capsys, "recommend", *flags(patient), "--format", "cds-hooks")[1] == out


@pytest.mark.parametrize("args, field", [
    (["--ki67_percent", "120"], "ki67_percent"),
    (["--krenning_score", "5", "--sstr_imaging", "pet"], "krenning_score"),
    (["--primary_site", "liver"], "primary_site"),
    (["--resectable", "perhaps"], "resectable"),
    (["--differentiation", "well", "--ki67_percent", "1.5", "--stated_grade", "G2"], "stated_grade"),
    (["--karnofsky_percent", "65"], "karnofsky_percent"),
])
def test_recommend_bad_value_exits_2_with_one_line_naming_the_field(capsys, args, field):
    status, out, err = call(capsys, "recommend", *args)
    assert status == EXIT_USAGE and out == ""
    assert field in one_line(err)


def test_recommend_bad_files_exit_2_with_one_line(capsys, tmp_path):
    cases = {
        "missing.yaml": None,
        "bad.yaml": "ki67_percent: [1, 2\n",
        "list.yaml": "- 1\n- 2\n",
        "bad.json": "{not json",
        "patient.txt": "ki67_percent: 5\n",
        "unknown.yaml": "ki67: 5\n",
        "value.yaml": "ki67_percent: abc\n",
    }
    for name, text in cases.items():
        path = tmp_path / name
        if text is not None:
            path.write_text(text, encoding="utf-8")
        status, _, err = call(capsys, "recommend", str(path))
        assert status == EXIT_USAGE, name
        line = one_line(err)
        if name in ("unknown.yaml",):
            assert "ki67" in line
        if name == "value.yaml":
            assert "ki67_percent" in line and "abc" in line


def test_recommend_unknown_format_exits_2(capsys):
    status, _, err = call(capsys, "recommend", "--format", "xml")
    assert status == EXIT_USAGE and "xml" in one_line(err)


def test_recommend_help_lists_every_patient_field():
    done = run("recommend", "--help")
    assert done.returncode == EXIT_OK
    text = " ".join(done.stdout.split())
    for field in PATIENT_FORM.fields:
        assert f"--{field.name}" in text
        assert " ".join(field.accepted().split()) in text
    assert "--sex {female,male}, --sex" not in text  # a name without "_" has one spelling, listed once


def test_recommend_through_the_module_entry_point(tmp_path):
    path = write_yaml(tmp_path / "p.yaml", PROGRESSIVE_MIDGUT_ON_SSA)
    done = run("recommend", str(path), "--format", "cds-hooks")
    assert done.returncode == EXIT_OK and done.stderr == ""
    _check_cds_hooks(json.loads(done.stdout))
    done = run("recommend", str(path), "--age_years", "17")
    assert done.returncode == EXIT_USAGE and "age_years" in one_line(done.stderr)


# ---------------------------------------------------------------------------------------------
# netlib rules
# ---------------------------------------------------------------------------------------------

def test_rules_text(capsys):
    status, out, _ = call(capsys, "rules")
    assert status == EXIT_OK
    for row in rules_table():
        assert f"\n{row['id']} " in out
        assert f"== {row['table']}" in out
    assert "if always" in out  # the unconditional exclusions


def test_rules_json(capsys):
    status, out, _ = call(capsys, "rules", "--json")
    assert status == EXIT_OK
    assert json.loads(out) == rules_table()


# ---------------------------------------------------------------------------------------------
# netlib cohort
# ---------------------------------------------------------------------------------------------

COHORT_COLUMNS = ["patient_id", "primary_site", "differentiation", "ki67_percent", "stated_grade", "extent",
                  "resectable", "sstr_imaging", "krenning_score", "tumour_burden", "functioning_syndrome",
                  "disease_status", "prior_ssa"]
GOOD_ROWS = [
    ["A1", "pancreas", "well", "1.5", "", "localised", "yes", "pet", "3", "", "", "newly_diagnosed", ""],
    ["A2", "small_intestine", "well", "1.0", "", "metastatic", "no", "pet", "4", "low", "none", "newly_diagnosed", ""],
    ["A3", "pancreas", "well", "12", "", "metastatic", "no", "pet", "3", "high", "none", "progressive", "progressed"],
    ["A4", "pancreas", "poor", "70", "", "metastatic", "no", "", "", "", "", "", ""],
]
BAD_ROWS = [
    ["B1", "pancreas", "well", "abc", "", "metastatic", "no", "", "", "", "", "", ""],          # not a number
    ["B2", "pancreas", "well", "1.5", "G2", "localised", "yes", "", "", "", "", "", ""],        # contradicts G1
    ["B3", "liver", "well", "1.5", "", "localised", "yes", "", "", "", "", "", ""],             # not a site
    ["B4", "pancreas", "well", "1.5", "", "localised", "yes", "", "3", "", "", "", ""],         # score, no imaging
]
BAD_FIELDS = {"B1": "ki67_percent", "B2": "stated_grade", "B3": "primary_site", "B4": "sstr_imaging"}


def write_csv(path: Path, rows, columns=COHORT_COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _patient(row: list[str]) -> dict:
    return {k: v for k, v in zip(COHORT_COLUMNS[1:], row[1:]) if v != ""}


def test_cohort_with_bad_rows(capsys, tmp_path):
    rows = [GOOD_ROWS[0], BAD_ROWS[0], GOOD_ROWS[1], BAD_ROWS[1], GOOD_ROWS[2], BAD_ROWS[2], GOOD_ROWS[3],
            BAD_ROWS[3]]
    source, target = write_csv(tmp_path / "in.csv", rows), tmp_path / "out.csv"
    status, _, err = call(capsys, "cohort", str(source), "-o", str(target), "--no-progress")
    assert status == EXIT_SOME_FAILED
    assert "8 patients, 4 with input errors" in err
    out = read_csv(target)
    assert list(out[0]) == list(cohort.OUTPUT_COLUMNS)
    assert [r["patient_id"] for r in out] == [row[0] for row in rows]  # order kept
    for row, written in zip(rows, out):
        if row[0] in BAD_FIELDS:
            assert written["status"] == "error"
            assert written["error_field"] == BAD_FIELDS[row[0]]
            assert written["error"] and written["option_1"] == ""
        else:
            expected = recommend(_patient(row))
            assert written["status"] == "ok" and written["error_field"] == ""
            assert written["pathway"] == expected.pathway
            options = [written[f"option_{n}"] for n in (1, 2, 3) if written[f"option_{n}"]]
            assert options == list(expected.options[:3])
            assert written["rule_ids"].split() == [t.rule_id for t in expected.trace if t.fired]
    by_id = {r["patient_id"]: r for r in out}
    # ENETS 2023: a localised pNET of unknown size and function gets no option until both are known.
    assert by_id["A1"]["option_1"] == "" and "size of the primary tumour" in by_id["A1"]["missing"]
    assert by_id["A4"]["pathway"] == "NEC" and by_id["A4"]["option_1"] == "platinum_etoposide"  # NEC pathway


def test_cohort_all_good_exits_0_and_numbers_rows_without_ids(capsys, tmp_path):
    columns = COHORT_COLUMNS[1:]
    source = write_csv(tmp_path / "in.csv", [row[1:] for row in GOOD_ROWS], columns)
    target = tmp_path / "sub" / "out.csv"
    status, _, _ = call(capsys, "cohort", str(source), "-o", str(target), "--no-progress")
    assert status == EXIT_OK
    out = read_csv(target)
    assert [r["patient_id"] for r in out] == ["1", "2", "3", "4"]
    assert all(r["status"] == "ok" for r in out)


def test_cohort_row_with_extra_cells_is_an_error_not_silently_cut(capsys, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("patient_id,primary_site,ki67_percent\nP1,pancreas,1,5\nP2,pancreas,1.5\n",
                      encoding="utf-8")  # P1: an unquoted decimal comma
    target = tmp_path / "out.csv"
    status, _, _ = call(capsys, "cohort", str(source), "-o", str(target), "--no-progress")
    assert status == EXIT_SOME_FAILED
    first, second = read_csv(target)
    assert first["status"] == "error" and first["error_field"] == "row" and "'5'" in first["error"]
    assert second["status"] == "ok"


def test_cohort_refuses_to_overwrite_without_force(capsys, tmp_path):
    source = write_csv(tmp_path / "in.csv", GOOD_ROWS)
    target = tmp_path / "out.csv"
    target.write_text("keep me\n", encoding="utf-8")
    status, _, err = call(capsys, "cohort", str(source), "-o", str(target), "--no-progress")
    assert status == EXIT_USAGE
    assert "--force" in one_line(err)
    assert target.read_text(encoding="utf-8") == "keep me\n"
    status, _, _ = call(capsys, "cohort", str(source), "-o", str(target), "--no-progress", "--force")
    assert status == EXIT_OK and len(read_csv(target)) == len(GOOD_ROWS)


def test_cohort_unknown_column_fails_before_writing(capsys, tmp_path):
    source = write_csv(tmp_path / "in.csv", [["A1", "5"]], ["patient_id", "ki67"])
    target = tmp_path / "out.csv"
    status, _, err = call(capsys, "cohort", str(source), "-o", str(target))
    assert status == EXIT_USAGE and "ki67" in one_line(err)
    assert not target.exists()


def test_cohort_unreadable_input_exits_2(capsys, tmp_path):
    source = tmp_path / "latin1.csv"
    source.write_bytes("patient_id,primary_site\nP1,pancr\xe9as\n".encode("latin-1"))
    status, _, err = call(capsys, "cohort", str(source), "-o", str(tmp_path / "out.csv"))
    assert status == EXIT_USAGE and "csv" in one_line(err).lower()
    status, _, err = call(capsys, "cohort", str(tmp_path / "none.csv"), "-o", str(tmp_path / "out.csv"))
    assert status == EXIT_USAGE and "none.csv" in one_line(err)


@pytest.mark.parametrize("existing", [False, True])
def test_cohort_leaves_no_partial_output_on_failure(tmp_path, monkeypatch, existing):
    source = write_csv(tmp_path / "in.csv", GOOD_ROWS * 200)
    target = tmp_path / "out.csv"
    if existing:
        target.write_text("previous complete output\n", encoding="utf-8")
    calls = {"n": 0}
    real = cohort.recommend

    def failing(values):
        calls["n"] += 1
        if calls["n"] == 500:
            raise RuntimeError("disk on fire")
        return real(values)

    monkeypatch.setattr(cohort, "recommend", failing)
    with pytest.raises(RuntimeError):
        cohort.run_cohort(str(source), str(target), force=True, progress=False)
    assert calls["n"] == 500
    if existing:
        assert target.read_text(encoding="utf-8") == "previous complete output\n"
    else:
        assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["in.csv"] + (["out.csv"] if existing else []))


def test_cohort_progress_bar_on_stderr(capsys, tmp_path):
    source = write_csv(tmp_path / "in.csv", GOOD_ROWS)
    status, out, err = call(capsys, "cohort", str(source), "-o", str(tmp_path / "out.csv"))
    assert status == EXIT_OK and out == ""
    assert "100% 4 rows" in err  # progress from the characters read, not from a count of held rows


def test_cohort_through_the_module_entry_point(tmp_path):
    source = write_csv(tmp_path / "in.csv", GOOD_ROWS + BAD_ROWS)
    target = tmp_path / "out.csv"
    done = run("cohort", str(source), "-o", str(target), "--no-progress")
    assert done.returncode == EXIT_SOME_FAILED
    assert [r["status"] for r in read_csv(target)] == ["ok"] * 4 + ["error"] * 4
    done = run("cohort", str(source), "-o", str(target), "--no-progress")
    assert done.returncode == EXIT_USAGE and "--force" in one_line(done.stderr)
