"""Hostile probes of `netlib report`, `netlib calc prrt_eligibility` and `netlib recommend` after the report
split, the generated form validator (Rule.given) and the lazy PRRT facts.

One test per probe.  Each checks what the README and `--help` promise for any input: the exit status is
0, 1, 2 or 74 as documented; an error is one line naming the field (or the file), the value and what is
accepted; no traceback; no partial or temporary file (``.netlib-*``) is left behind.  Every defect a probe
found was fixed and the probe stays as its test.

Most probes call netlib.cli.main in-process.  Batches run in-process too: the process pool is replaced
by an inline one and the worker's kernel by an engine that renders with render_report_html (the same
sections, no kernel), so the file names, the lock, the re-run plan and the index are the real ones.
The probes that need a real kernel are marked ``slow``.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from netlib import cli, report, report_batch, report_files
from netlib.examples import PATIENT_EXAMPLES
from netlib.files import EXIT_IO, EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE
from netlib.pathway import PATIENT_FORM
from netlib.report_engine import render_report_html

ROOT = Path(__file__).resolve().parents[1]
MIDGUT_FILE = ROOT / "examples" / "progressive-midgut.yaml"
MIDGUT = PATIENT_EXAMPLES["progressive-midgut-on-ssa"]
STATUSES = {EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_IO}


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def call(capsys, *args) -> tuple[int, str, str]:
    """netlib.cli.main in-process: (exit status, stdout, stderr); a SystemExit counts as its status."""
    try:
        status = cli.main([str(a) for a in args])
    except SystemExit as stop:
        status = stop.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def netlib_leftovers(folder: Path) -> list[str]:
    """Temporary files (and locks) netlib may have left anywhere under ``folder``."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob(f"{report.TEMP_PREFIX}*"))


def yaml_text(values: dict) -> str:
    return "".join(f"{name}: {json.dumps(value)}\n" for name, value in values.items())


def calc_json(capsys, *args) -> dict:
    status, out, err = call(capsys, "calc", "prrt_eligibility", "--json", *args)
    assert status == EXIT_OK, err
    return json.loads(out)


class FakeEngine:
    """ReportEngine without a kernel: the same sections through render_report_html."""

    def __init__(self, template=None, **_kwargs):
        self.template = template

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        pass

    def render(self, patient, provenance, measurements=(), *, keep=None):
        if keep is not None:
            keep.append({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
        return render_report_html(patient, provenance, measurements=list(measurements) or None)


class InlinePool:
    """A ProcessPoolExecutor stand-in that runs each job at once, in this process."""

    def __init__(self, max_workers=None, mp_context=None, initializer=None, initargs=()):
        self.max_workers = max_workers

    def submit(self, function, *args):
        future = concurrent.futures.Future()
        try:
            future.set_result(function(*args))
        except BaseException as error:  # noqa: BLE001 - handed to the caller as the pool would
            future.set_exception(error)
        return future

    def shutdown(self, wait=True, cancel_futures=False):
        pass


@pytest.fixture
def inline_batch(monkeypatch):
    """Batches run in this process with FakeEngine; records the pool sizes asked for."""
    sizes: list[int] = []

    def pool(max_workers=None, **kwargs):
        sizes.append(max_workers)
        return InlinePool(max_workers, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", pool)
    monkeypatch.setattr(report_batch, "_WORKER_ENGINE", FakeEngine())
    monkeypatch.setattr(report_batch, "_WORKER_ERROR", None)
    monkeypatch.setattr(report, "ReportEngine", FakeEngine)
    return sizes


def cohort_csv(path: Path, ids: list[str]) -> Path:
    """One valid patient per id (the midgut example's site, grade and extent)."""
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["patient_id", "primary_site", "differentiation", "ki67_percent", "extent"])
        for patient_id in ids:
            writer.writerow([patient_id, "pancreas", "well", "1.5", "localised"])
    return path


# ---------------------------------------------------------------------------------------------
# netlib calc prrt_eligibility: every bound, at and just past it, in both units
# ---------------------------------------------------------------------------------------------

# (arguments, criterion, eligible on that criterion).  Sources: the constants of netlib.prrt (NETTER-1:
# strosberg2017netter1, nct01578239; NETTER-2: singh2024netter2, nct03972488); a bound itself is eligible.
PRRT_BOUNDS = [
    (["--ki67_percent", "20"], "ki67", True),                          # NETTER-1 Ki-67 <= 20 %
    (["--ki67_percent", "20.01"], "ki67", False),
    (["--karnofsky_percent", "60"], "performance_status", True),       # Karnofsky >= 60 %
    (["--karnofsky_percent", "50"], "performance_status", False),
    (["--age_years", "18"], "age", True),                              # NETTER-1 adults
    (["--age_years", "17.9"], "age", False),
    (["--creatinine_clearance_ml_min", "50"], "renal", True),          # CrCl >= 50 mL/min
    (["--creatinine_clearance_ml_min", "49.99"], "renal", False),
    (["--creatinine_mg_dl", "1.7"], "creatinine", True),               # creatinine <= 1.7 mg/dL
    (["--creatinine_mg_dl", "1.71"], "creatinine", False),
    (["--creatinine_umol_l", "150"], "creatinine", True),              # ... or <= 150 µmol/L
    (["--creatinine_umol_l", "150.1"], "creatinine", False),
    (["--haemoglobin_g_dl", "8"], "hemoglobin", True),                 # Hb >= 8.0 g/dL
    (["--haemoglobin_g_dl", "7.99"], "hemoglobin", False),
    (["--haemoglobin_g_l", "80"], "hemoglobin", True),                 # ... = 80 g/L
    (["--haemoglobin_g_l", "79.9"], "hemoglobin", False),
    (["--wbc_10e9_l", "2"], "wbc", True),                              # WBC >= 2.0 x 10⁹/L
    (["--wbc_10e9_l", "1.99"], "wbc", False),
    (["--platelets_10e9_l", "75"], "platelets", True),                 # platelets >= 75 x 10⁹/L
    (["--platelets_10e9_l", "74.9"], "platelets", False),
    (["--bilirubin_x_uln", "3"], "bilirubin", True),                   # bilirubin <= 3 x ULN
    (["--bilirubin_x_uln", "3.01"], "bilirubin", False),
    (["--albumin_g_dl", "3", "--prothrombin_time_normal", "no"], "albumin", True),  # albumin >= 3.0 g/dL
    (["--albumin_g_dl", "2.9", "--prothrombin_time_normal", "no"], "albumin", False),
    (["--albumin_g_l", "30", "--prothrombin_time_normal", "no"], "albumin", True),  # ... = 30 g/L
    (["--albumin_g_l", "29.9", "--prothrombin_time_normal", "no"], "albumin", False),
    (["--albumin_g_l", "29.9", "--prothrombin_time_normal", "yes"], "albumin", True),  # normal PT: not excluded
    (["--krenning_score", "2", "--sstr_modality", "spect"], "sstr_uptake", True),     # planar/SPECT >= 2
    (["--krenning_score", "1", "--sstr_modality", "planar_scintigraphy"], "sstr_uptake", False),
    (["--krenning_score", "3", "--sstr_modality", "sstr_pet"], "sstr_uptake", True),  # PET >= 3 (convention)
    (["--krenning_score", "2", "--sstr_modality", "sstr_pet"], "sstr_uptake", False),
    (["--criteria-set", "netter2", "--ki67_percent", "10"], "ki67", True),            # NETTER-2 10-55 %
    (["--criteria-set", "netter2", "--ki67_percent", "9.99"], "ki67", False),
    (["--criteria-set", "netter2", "--ki67_percent", "55"], "ki67", True),
    (["--criteria-set", "netter2", "--ki67_percent", "55.01"], "ki67", False),
    (["--criteria-set", "netter2", "--age_years", "15"], "age", True),                # NETTER-2 age >= 15
    (["--criteria-set", "netter2", "--age_years", "14.99"], "age", False),
    (["--criteria-set", "netter2", "--months_since_diagnosis", "6"], "time_since_diagnosis", True),
    (["--criteria-set", "netter2", "--months_since_diagnosis", "6.01"], "time_since_diagnosis", False),
    (["--criteria-set", "netter2", "--krenning_score", "3", "--sstr_modality", "spect"], "sstr_uptake", True),
    (["--criteria-set", "netter2", "--krenning_score", "2", "--sstr_modality", "spect"], "sstr_uptake", False),
]


@pytest.mark.parametrize("args, criterion, eligible", PRRT_BOUNDS)
def test_prrt_bound_at_and_just_past(capsys, args, criterion, eligible):
    result = calc_json(capsys, *args)
    failed = result["details"]["failed_criteria"]
    if eligible:
        assert criterion not in failed and result["category"] == "incomplete", result
        assert criterion not in result["details"]["missing_criteria"]
    else:
        assert failed == [criterion] and result["category"] == "not eligible", result
        assert len(result["details"]["reasons"]) == 1


@pytest.mark.parametrize("first, second, analyte", [
    (("--creatinine_mg_dl", "1.0"), ("--creatinine_umol_l", "88"), "creatinine"),
    (("--haemoglobin_g_dl", "12"), ("--haemoglobin_g_l", "120"), "haemoglobin"),
    (("--albumin_g_dl", "4"), ("--albumin_g_l", "40"), "albumin"),
])
def test_prrt_both_units_at_once_is_one_line_naming_both(capsys, first, second, analyte):
    status, out, err = call(capsys, "calc", "prrt_eligibility", *first, *second)
    line = one_line(err)
    assert status == EXIT_USAGE and out == ""
    assert first[0][2:] in line and second[0][2:] in line and analyte in line and "not both" in line


def test_prrt_both_creatinine_units_in_a_patient_file(capsys, tmp_path):
    source = tmp_path / "p.yaml"
    source.write_text(yaml_text({**MIDGUT, "creatinine_mg_dl": 1.0, "creatinine_umol_l": 88}), encoding="utf-8")
    status, _, err = call(capsys, "recommend", source)
    line = one_line(err)
    assert status == EXIT_USAGE and "not both" in line
    assert "creatinine_mg_dl" in line and "creatinine_umol_l" in line and "88" in line


def test_criteria_set_netter3_is_refused_naming_what_is_accepted(capsys):
    status, _, err = call(capsys, "calc", "prrt_eligibility", "--criteria-set", "netter3")
    line = one_line(err)
    assert status == EXIT_USAGE
    assert "criteria_set" in line and "'netter3'" in line and "netter1, netter2" in line


@pytest.mark.parametrize("option", ["--ki67_percent", "--creatinine_mg_dl", "--haemoglobin_g_dl", "--albumin_g_l"])
def test_prrt_decimal_comma_gets_a_hint(capsys, option):
    status, _, err = call(capsys, "calc", "prrt_eligibility", option, "3,5")
    line = one_line(err)
    assert status == EXIT_USAGE and option[2:] in line and "'3,5'" in line and "(3.5)" in line


@pytest.mark.parametrize("option, value, accepted", [
    ("--karnofsky_percent", "55", "multiple of 10"),
    ("--karnofsky_percent", "110", "between 0 and 100"),
    ("--krenning_score", "5", "between 0 and 4"),
    ("--krenning_score", "2.5", "whole number"),
    ("--creatinine_umol_l", "8", "between 8.84 and 2652"),
    ("--haemoglobin_g_l", "251", "between 10 and 250"),
    ("--ki67_percent", "nan", "between 0 and 100"),
    ("--prothrombin_time_normal", "maybe", "true or false"),
])
def test_prrt_out_of_range_is_one_line(capsys, option, value, accepted):
    status, out, err = call(capsys, "calc", "prrt_eligibility", option, value)
    line = one_line(err)
    assert status == EXIT_USAGE and out == ""
    assert option[2:] in line and value in line and accepted in line


def test_prrt_rule_is_skipped_while_its_field_is_empty(capsys):
    # Rule.given: the one-unit rules run only when both units are given; one unit alone is not an error.
    result = calc_json(capsys, "--creatinine_umol_l", "88", "--haemoglobin_g_l", "120", "--albumin_g_dl", "4")
    assert result["details"]["failed_criteria"] == []


def test_prrt_low_albumin_without_prothrombin_time_is_incomplete_not_an_error(capsys):
    result = calc_json(capsys, "--albumin_g_dl", "2.5")
    assert "albumin" in result["details"]["missing_criteria"] and result["details"]["failed_criteria"] == []
    assert any("prothrombin time is needed" in w for w in result["warnings"])


def test_prrt_whole_form_python_call_refuses_unknown_and_positional():
    import netlib
    from netlib.inputs import InputError
    from netlib.prrt import prrt_eligibility

    with pytest.raises(InputError) as refused:
        netlib.calc("prrt_eligibility", ki67=3)
    assert refused.value.field == "ki67"
    with pytest.raises(TypeError):
        prrt_eligibility({"ki67_percent": 3})  # the declared call is by keyword
    assert prrt_eligibility(ki67_percent=3).category == "incomplete"


def test_prrt_in_a_recommendation_matches_the_calculator(capsys, tmp_path):
    # The lazy PRRT facts give what the calculator gives for the same values.
    from netlib import calc, recommend

    patient = {**MIDGUT, "creatinine_clearance_ml_min": 49.9}
    facts = recommend(patient).facts
    assert facts["prrt_eligibility"] == "not eligible"
    assert facts["prrt_result"].details["failed_criteria"] == ("renal",)
    direct = calc("prrt_eligibility", creatinine_clearance_ml_min=49.9, ki67_percent=patient.get("ki67_percent"))
    assert "renal" in direct.details["failed_criteria"]


# ---------------------------------------------------------------------------------------------
# netlib recommend on careless patient files
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_recommend_every_field_null_is_a_valid_empty_patient(capsys, tmp_path, suffix):
    source = tmp_path / f"p{suffix}"
    values = {f.name: None for f in PATIENT_FORM.fields}
    source.write_text(json.dumps(values) if suffix == ".json" else yaml_text(values), encoding="utf-8")
    status, out, err = call(capsys, "recommend", source, "--json")
    assert status == EXIT_OK and err == ""
    result = json.loads(out)
    assert result["pathway"] == "needs diagnosis" and result["recommendations"] == []
    assert result["facts"]["prrt_eligibility"] == "incomplete"


def test_recommend_unknown_field_names_it(capsys, tmp_path):
    source = tmp_path / "p.yaml"
    source.write_text("primary_site: pancreas\nki67: 3\n", encoding="utf-8")
    status, _, err = call(capsys, "recommend", source)
    line = one_line(err)
    assert status == EXIT_USAGE and line.startswith("netlib: error: ki67 is not an input here")
    assert "ki67_percent" in line


def test_recommend_misspelt_field_on_the_command_line(capsys):
    status, _, err = call(capsys, "recommend", "--ki67", "3")
    assert status == EXIT_USAGE and "--ki67" in one_line(err)


@pytest.mark.parametrize("ki67, stated, computed", [(25, "G1", "G3"), (1, "G3", "G1"), (3, "G1", "G2"),
                                                    (2.9, "G2", "G1")])
def test_recommend_stated_grade_contradicting_ki67(capsys, tmp_path, ki67, stated, computed):
    source = tmp_path / "p.yaml"
    source.write_text(yaml_text({"primary_site": "pancreas", "differentiation": "well", "ki67_percent": ki67,
                                 "stated_grade": stated}), encoding="utf-8")
    status, out, err = call(capsys, "recommend", source)
    line = one_line(err)
    assert status == EXIT_USAGE and out == ""
    assert "stated_grade" in line and stated in line and computed in line


def test_recommend_stated_grade_agreeing_with_ki67_is_accepted(capsys, tmp_path):
    source = tmp_path / "p.yaml"
    source.write_text(yaml_text({"primary_site": "pancreas", "differentiation": "well", "ki67_percent": 3,
                                 "stated_grade": "G2"}), encoding="utf-8")
    status, _, err = call(capsys, "recommend", source)
    assert status == EXIT_OK and err == ""


@pytest.mark.parametrize("name, data, words", [
    ("empty.yaml", b"", "empty file"),
    ("empty.json", b"", "not valid JSON"),
    ("null.yaml", b"null\n", "empty file"),
    ("list.yaml", b"- a\n- b\n", "got list"),
    ("scalar.yaml", b"hello\n", "got str"),
    ("binary.yaml", bytes(range(256)), "binary file"),
    ("nul.yaml", b"primary_site: panc\x00reas\n", "zero byte"),
    ("latin1.yaml", "primary_site: pancréas\n".encode("latin-1"), "UTF-8"),
    ("huge.yaml", b"# " + b"x" * (1024 * 1024 + 10) + b"\n", "larger than 1,000,000 bytes"),
    ("trailing.json", b'{"primary_site": "pancreas"} {}', "JSON"),
])
def test_recommend_malformed_files_are_one_line(capsys, tmp_path, name, data, words):
    source = tmp_path / name
    source.write_bytes(data)
    status, out, err = call(capsys, "recommend", source)
    line = one_line(err)
    assert status == EXIT_USAGE and out == "" and words in line and name in line


def test_recommend_patient_id_with_path_separators_is_only_a_name(capsys, tmp_path):
    source = tmp_path / "p.yaml"
    source.write_text('patient_id: "../../etc/passwd"\nprimary_site: pancreas\n', encoding="utf-8")
    status, _, err = call(capsys, "recommend", source)
    assert status == EXIT_OK and err == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml"]


@pytest.mark.parametrize("value, kind", [("[1, 2]", "list"), ("1.5", "float"), ("true", "bool")])
def test_recommend_patient_id_of_the_wrong_type(capsys, tmp_path, value, kind):
    source = tmp_path / "p.yaml"
    source.write_text(f"patient_id: {value}\nprimary_site: pancreas\n", encoding="utf-8")
    status, _, err = call(capsys, "recommend", source)
    line = one_line(err)
    assert status == EXIT_USAGE and "patient_id" in line and kind in line


def test_recommend_patient_id_of_5000_digits_is_text_not_an_overflow(capsys, tmp_path):
    source = tmp_path / "p.json"
    source.write_text('{"patient_id": ' + "9" * 5000 + ', "primary_site": "pancreas"}', encoding="utf-8")
    status, _, err = call(capsys, "recommend", source)
    assert status == EXIT_OK and "Traceback" not in err


# ---------------------------------------------------------------------------------------------
# netlib report: templates
# ---------------------------------------------------------------------------------------------

KERNELSPEC = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def notebook(cells, metadata=KERNELSPEC) -> str:
    return json.dumps({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 4})


@pytest.mark.parametrize("name, text, words", [
    ("missing.ipynb", None, "not found"),
    ("text.ipynb", "hello, not a notebook", "not a Jupyter notebook"),
    ("list.ipynb", "[1, 2]", "not a Jupyter notebook"),
    ("binary.ipynb", b"\xff\xfe\x00\x01", "not a Jupyter notebook"),
    ("patient.yaml", yaml_text(MIDGUT), "not a Jupyter notebook"),
    ("no-kernelspec.ipynb", notebook([], {}), "not a Jupyter notebook"),
    ("no-parameters.ipynb", notebook([{"cell_type": "code", "metadata": {}, "source": "x = 1",
                                       "outputs": [], "execution_count": None}]), "no code cell tagged 'parameters'"),
    ("markdown-parameters.ipynb", notebook([{"cell_type": "markdown", "metadata": {"tags": ["parameters"]},
                                             "source": "x"}]), "no code cell tagged 'parameters'"),
])
def test_report_template_that_is_not_a_report_template(capsys, tmp_path, no_kernel, name, text, words):
    template = tmp_path / name
    if isinstance(text, bytes):
        template.write_bytes(text)
    elif text is not None:
        template.write_text(text, encoding="utf-8")
    out = tmp_path / "out" / "r.html"
    status, _, err = call(capsys, "report", MIDGUT_FILE, "-o", out, "--template", template)
    line = one_line(err)
    assert status == EXIT_USAGE and words in line and name in line
    assert not out.parent.exists()


def test_report_template_that_is_a_folder(capsys, tmp_path, no_kernel):
    status, _, err = call(capsys, "report", MIDGUT_FILE, "-o", tmp_path / "r.html", "--template", tmp_path)
    assert status == EXIT_USAGE and "not a Jupyter notebook" in one_line(err)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, text", [
    ("cells-int.ipynb", notebook(5)),
    ("cells-null.ipynb", notebook(None)),
    ("metadata-list.ipynb", notebook([{"cell_type": "code", "metadata": [], "source": ""}])),
    ("tags-null.ipynb", notebook([{"cell_type": "code", "metadata": {"tags": None}, "source": ""}])),
])
def test_report_template_with_malformed_cells_is_one_line(capsys, tmp_path, no_kernel, name, text):
    template = tmp_path / name
    template.write_text(text, encoding="utf-8")
    status, _, err = call(capsys, "report", MIDGUT_FILE, "-o", tmp_path / "r.html", "--template", template)
    assert status == EXIT_USAGE and "not a Jupyter notebook" in one_line(err)


def test_report_batch_template_with_malformed_cells_is_one_line(capsys, tmp_path, no_kernel):
    template = tmp_path / "cells-int.ipynb"
    template.write_text(notebook(5), encoding="utf-8")
    source = cohort_csv(tmp_path / "c.csv", ["A"])
    status, _, err = call(capsys, "report", "--batch", source, "-o", tmp_path / "out", "--template", template)
    assert status == EXIT_USAGE and "not a Jupyter notebook" in one_line(err)
    assert not (tmp_path / "out").exists()


def test_report_template_with_tags_as_a_string_is_refused(capsys, tmp_path, no_kernel):
    template = tmp_path / "tags-string.ipynb"
    template.write_text(notebook([{"cell_type": "code", "metadata": {"tags": "parametersX"}, "source": "x = 1",
                                   "outputs": [], "execution_count": None}]), encoding="utf-8")
    status, _, err = call(capsys, "report", MIDGUT_FILE, "-o", tmp_path / "r.html", "--template", template)
    assert status == EXIT_USAGE and "parameters" in one_line(err)


@pytest.mark.slow
def test_report_template_whose_cell_raises_is_exit_1_and_writes_nothing(tmp_path):
    template = json.loads((ROOT / "netlib" / "templates" / "patient-report.ipynb").read_text(encoding="utf-8"))
    section = next(c for c in template["cells"] if "section-options" in c["metadata"].get("tags", []))
    section["source"] = "raise ValueError('boom from the template')\n"
    (tmp_path / "raises.ipynb").write_text(json.dumps(template), encoding="utf-8")
    out = tmp_path / "out" / "r.html"
    env = dict(os.environ, PYTHONPATH=str(ROOT), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    done = subprocess.run([sys.executable, "-m", "netlib.cli", "report", str(MIDGUT_FILE), "-o", str(out),
                           "--template", str(tmp_path / "raises.ipynb")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240)
    line = one_line(done.stderr)
    assert done.returncode == EXIT_SOME_FAILED and "boom from the template" in line and "ValueError" in line
    assert not out.exists() and netlib_leftovers(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# netlib report: outputs
# ---------------------------------------------------------------------------------------------

def test_report_onto_an_existing_file_is_refused_and_keeps_it(capsys, tmp_path, no_kernel):
    out = tmp_path / "r.html"
    out.write_text("mine", encoding="utf-8")
    status, _, err = call(capsys, "report", MIDGUT_FILE, "-o", out)
    line = one_line(err)
    assert status == EXIT_USAGE and "exists" in line and "--force" in line
    assert out.read_text(encoding="utf-8") == "mine" and netlib_leftovers(tmp_path) == []


def test_report_onto_an_existing_pdf_beside_is_refused(capsys, tmp_path, no_kernel):
    (tmp_path / "r.pdf").write_bytes(b"%PDF-old")
    status, _, err = call(capsys, "report", MIDGUT_FILE, "-o", tmp_path / "r.html", "--pdf")
    assert status == EXIT_USAGE and "r.pdf" in one_line(err)
    assert (tmp_path / "r.pdf").read_bytes() == b"%PDF-old" and not (tmp_path / "r.html").exists()


def test_report_keep_notebook_onto_an_existing_notebook_is_refused(capsys, tmp_path, no_kernel):
    (tmp_path / "r.ipynb").write_text("{}", encoding="utf-8")
    status, _, err = call(capsys, "report", MIDGUT_FILE, "-o", tmp_path / "r.html", "--keep-notebook")
    assert status == EXIT_USAGE and "r.ipynb" in one_line(err)
    assert (tmp_path / "r.ipynb").read_text(encoding="utf-8") == "{}"


@pytest.mark.parametrize("target", ["/dev/full", "/dev/null", "report.txt", "report"])
def test_report_output_that_is_not_html_or_pdf(capsys, tmp_path, no_kernel, target):
    status, _, err = call(capsys, "report", MIDGUT_FILE, "-o", target)
    assert status == EXIT_USAGE and "-o must end in .html or .pdf" in one_line(err)


def test_report_output_into_a_folder_named_like_a_report(capsys, tmp_path, no_kernel):
    (tmp_path / "r.html").mkdir()
    status, _, err = call(capsys, "report", MIDGUT_FILE, "-o", tmp_path / "r.html", "--force")
    assert status == EXIT_USAGE and "r.html" in one_line(err)
    assert (tmp_path / "r.html").is_dir()


def test_report_into_a_read_only_folder_is_exit_74_and_leaves_nothing(capsys, tmp_path, monkeypatch, inline_batch):
    def denied(*_args, dir=None, **_kwargs):  # as a read-only folder answers (root is never refused)
        raise PermissionError(13, "Permission denied", str(Path(dir) / ".netlib-r.html.x.part"))

    monkeypatch.setattr(report_files.tempfile, "mkstemp", denied)
    status, _, err = call(capsys, "report", MIDGUT_FILE, "-o", tmp_path / "ro" / "r.html")
    line = one_line(err)
    assert status == EXIT_IO and "Permission denied" in line
    assert netlib_leftovers(tmp_path) == [] and not (tmp_path / "ro" / "r.html").exists()


def test_report_on_a_full_disk_is_exit_74_and_leaves_nothing(capsys, tmp_path, monkeypatch, inline_batch):
    def full(_descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_files.os, "fsync", full)
    status, _, err = call(capsys, "report", MIDGUT_FILE, "-o", tmp_path / "r.html")
    assert status == EXIT_IO and "No space left on device" in one_line(err)
    assert list(tmp_path.iterdir()) == []


def test_report_single_in_process_writes_one_complete_file(capsys, tmp_path, inline_batch):
    status, _, err = call(capsys, "report", MIDGUT_FILE, "-o", tmp_path / "r.html")
    assert status == EXIT_OK and "wrote" in one_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]
    assert "progressive-midgut-on-ssa" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_report_bad_patient_is_refused_before_any_kernel(capsys, tmp_path, no_kernel):
    source = tmp_path / "p.yaml"
    source.write_text("primary_site: pancreas\nki67_percent: 3,5\n", encoding="utf-8")
    status, _, err = call(capsys, "report", source, "-o", tmp_path / "r.html")
    line = one_line(err)
    assert status == EXIT_USAGE and "ki67_percent" in line and "(3.5)" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml"]


# ---------------------------------------------------------------------------------------------
# netlib report --batch: options, ids, folders, re-runs
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("workers, words", [("0", "at least 1"), ("abc", "'abc'"), ("-1", "'-1'"), ("1_0", "'1_0'"),
                                            ("٣", "'٣'"), ("", "''")])
def test_batch_workers_that_are_not_a_positive_whole_number(capsys, tmp_path, no_kernel, workers, words):
    source = cohort_csv(tmp_path / "c.csv", ["A"])
    status, _, err = call(capsys, "report", "--batch", source, "-o", tmp_path / "out", "--workers", workers)
    line = one_line(err)
    assert status == EXIT_USAGE and "--workers" in line and words in line
    assert not (tmp_path / "out").exists()


def test_batch_workers_1000_is_capped_at_the_number_of_patients(capsys, tmp_path, inline_batch):
    source = cohort_csv(tmp_path / "c.csv", ["A", "B", "C"])
    status, _, err = call(capsys, "report", "--batch", source, "-o", tmp_path / "out", "--workers", "1000",
                          "--no-progress")
    assert status == EXIT_OK, err
    assert inline_batch == [3]


def test_batch_workers_too_many_says_the_upper_limit(capsys, tmp_path, no_kernel):
    source = cohort_csv(tmp_path / "c.csv", ["A"])
    status, _, err = call(capsys, "report", "--batch", source, "-o", tmp_path / "out", "--workers", "10000")
    line = one_line(err)
    assert status == EXIT_USAGE and "9999" in line


HOSTILE_IDS = ["../../escape", "/etc/passwd", "a/b", "a_b", "A_B", "a\\b", "..", ".", "", "index", "INDEX",
               "x" * 5000, "é", "名前", "e\u0301", "\u202eevil", "a\x00b", "con", " ", ".netlib-batch.lock",
               ".netlib-x.part", "r.html", "- -"]


def test_batch_hostile_patient_ids_stay_inside_and_never_collide(capsys, tmp_path, inline_batch):
    source = cohort_csv(tmp_path / "c.csv", [i.replace("\x00", "") for i in HOSTILE_IDS])
    out = tmp_path / "out"
    status, _, err = call(capsys, "report", "--batch", source, "-o", out, "--no-progress")
    assert status == EXIT_OK, err
    names = sorted(p.name for p in out.iterdir())
    reports = [n for n in names if n != report.INDEX_NAME]
    assert len(reports) == len(HOSTILE_IDS) and report.INDEX_NAME in names
    assert len({n.lower() for n in names}) == len(names)  # unique even on a case-insensitive disk
    assert all(n.endswith(".html") and not n.startswith(".") and len(n) <= 100 and n.isascii() for n in names)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv", "out"]  # nothing escaped the folder
    index = (out / report.INDEX_NAME).read_text(encoding="utf-8")
    assert all(f'href="{n}"' in index for n in reports)
    assert "<title>" + report.INDEX_TITLE in index


def test_batch_patient_id_with_a_nul_in_a_yaml_folder(capsys, tmp_path, inline_batch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "p.yaml").write_text('patient_id: "a\\0b/../c"\nprimary_site: pancreas\n', encoding="utf-8")
    out = tmp_path / "out"
    status, _, err = call(capsys, "report", "--batch", folder, "-o", out, "--no-progress")
    # Refused as that patient's input error (the batch goes on): a NUL belongs in no page, file or terminal.
    assert status == EXIT_SOME_FAILED, err
    assert "patient_id must be text without control characters" in err
    assert sorted(p.name for p in out.iterdir()) == [report.INDEX_NAME]


def test_batch_onto_dev_full_is_refused_as_not_a_folder(capsys, tmp_path, no_kernel):
    source = cohort_csv(tmp_path / "c.csv", ["A"])
    status, _, err = call(capsys, "report", "--batch", source, "-o", "/dev/full")
    assert status == EXIT_USAGE and "must be a folder" in one_line(err)


def test_batch_into_a_read_only_folder_is_exit_74(capsys, tmp_path, monkeypatch, no_kernel):
    source = cohort_csv(tmp_path / "c.csv", ["A"])
    out = tmp_path / "ro" / "out"
    real_mkdir = Path.mkdir

    def denied(self, *args, **kwargs):  # as a read-only parent answers (root is never refused, so simulated)
        if self == out:
            raise PermissionError(13, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", denied)
    status, _, err = call(capsys, "report", "--batch", source, "-o", out, "--no-progress")
    line = one_line(err)
    assert "Permission denied" in line
    assert status == EXIT_IO


def test_batch_into_a_real_unwritable_folder_is_one_line(capsys, tmp_path, no_kernel):
    target = Path("/proc/netlib-probe-out")  # mkdir there fails even for root
    source = cohort_csv(tmp_path / "c.csv", ["A"])
    status, _, err = call(capsys, "report", "--batch", source, "-o", target, "--no-progress")
    line = one_line(err)
    assert status in (EXIT_USAGE, EXIT_IO) and str(target) in line and not target.exists()


def test_batch_two_batches_into_one_folder(capsys, tmp_path, no_kernel):
    source = cohort_csv(tmp_path / "c.csv", ["A"])
    out = tmp_path / "out"
    with report.OutputFolderLock(out):
        status, _, err = call(capsys, "report", "--batch", source, "-o", out, "--no-progress")
        line = one_line(err)
        assert status == report.OUTPUT_FOLDER_EXIT_STATUS and "another batch" in line and str(os.getpid()) in line
        assert sorted(p.name for p in out.iterdir()) == [report.LOCK_NAME]
    assert list(out.iterdir()) == []


def test_batch_rerun_after_a_kill_removes_temporaries_and_keeps_reports(capsys, tmp_path, inline_batch):
    source = cohort_csv(tmp_path / "c.csv", ["A", "B"])
    out = tmp_path / "out"
    status, _, err = call(capsys, "report", "--batch", source, "-o", out, "--no-progress")
    assert status == EXIT_OK, err
    first = (out / "A.html").stat().st_mtime_ns
    (out / "B.html").unlink()  # as if the run had been killed before B was renamed into place
    (out / ".netlib-B.html.abc123.part").write_bytes(b"<html>half")
    (out / report.LOCK_NAME).write_text("999999\n", encoding="ascii")  # a lock file its dead holder left
    status, _, err = call(capsys, "report", "--batch", source, "-o", out, "--no-progress")
    assert status == EXIT_OK, err
    assert "1 reports already in" in err and "kept" in err
    assert sorted(p.name for p in out.iterdir()) == ["A.html", "B.html", report.INDEX_NAME]
    assert (out / "A.html").stat().st_mtime_ns == first


def test_batch_rerun_with_changed_inputs_fails_that_patient_only(capsys, tmp_path, inline_batch):
    out = tmp_path / "out"
    status, _, err = call(capsys, "report", "--batch", cohort_csv(tmp_path / "c.csv", ["A", "B"]), "-o", out,
                          "--no-progress")
    assert status == EXIT_OK, err
    changed = tmp_path / "c2.csv"
    changed.write_text((tmp_path / "c.csv").read_text(encoding="utf-8").replace("B,pancreas,well,1.5",
                                                                                "B,pancreas,well,2.5"),
                       encoding="utf-8")
    before = (out / "B.html").read_bytes()
    status, _, err = call(capsys, "report", "--batch", changed, "-o", out, "--no-progress")
    assert status == EXIT_SOME_FAILED
    assert "failed: B" in err and "--force replaces it" in err
    assert (out / "B.html").read_bytes() == before and netlib_leftovers(out) == []


def test_batch_an_index_html_that_netlib_did_not_write_is_kept(capsys, tmp_path, inline_batch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("<h1>my notes</h1>", encoding="utf-8")
    status, _, err = call(capsys, "report", "--batch", cohort_csv(tmp_path / "c.csv", ["A"]), "-o", out,
                          "--no-progress")
    line = one_line(err)
    assert status in (EXIT_USAGE, EXIT_IO) and "index.html" in line
    assert (out / "index.html").read_text(encoding="utf-8") == "<h1>my notes</h1>"
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]


@pytest.mark.parametrize("name, data, words", [
    ("empty.csv", b"", "empty"),
    ("header.csv", b"patient_id,primary_site\n", "no patient rows"),
    ("binary.csv", bytes(range(256)) * 4, "not UTF-8"),
    ("latin1.csv", "patient_id,primary_site\nA,pancréas\n".encode("latin-1"), "UTF-8"),
    ("unknown.csv", b"patient_id,foo\nA,1\n", "'foo'"),
    ("quote.csv", b'patient_id,primary_site\n"A,pancreas\n', "quote"),
])
def test_batch_malformed_csv_is_one_line_and_writes_nothing(capsys, tmp_path, no_kernel, name, data, words):
    source = tmp_path / name
    source.write_bytes(data)
    status, _, err = call(capsys, "report", "--batch", source, "-o", tmp_path / "out")
    line = one_line(err)
    assert status == EXIT_USAGE and words in line
    assert not (tmp_path / "out").exists()


def test_batch_bad_rows_fail_alone(capsys, tmp_path, inline_batch):
    source = tmp_path / "c.csv"
    source.write_text("patient_id,primary_site,ki67_percent\nA,pancreas,1.5\nB,pancreas,\"3,5\"\nC,pancreas,1,2\n"
                      "D,pancreas,101\n", encoding="utf-8")
    out = tmp_path / "out"
    status, _, err = call(capsys, "report", "--batch", source, "-o", out, "--no-progress")
    assert status == EXIT_SOME_FAILED
    lines = err.strip().splitlines()
    assert "Traceback" not in err and len(lines) == 4  # the summary and one line per failed patient
    assert "failed: B" in err and "(3.5)" in err and "failed: C" in err and "failed: D" in err
    assert sorted(p.name for p in out.iterdir()) == ["A.html", report.INDEX_NAME]


def test_batch_folder_of_unreadable_files_loses_no_other_patient(capsys, tmp_path, inline_batch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.yaml").write_text(yaml_text(MIDGUT), encoding="utf-8")
    (folder / "binary.json").write_bytes(bytes(range(256)))
    (folder / "empty.yml").write_bytes(b"")
    (folder / "unknown.yaml").write_text("foo: 1\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not a patient", encoding="utf-8")
    out = tmp_path / "out"
    status, _, err = call(capsys, "report", "--batch", folder, "-o", out, "--no-progress")
    assert status == EXIT_SOME_FAILED and "Traceback" not in err
    assert len(err.strip().splitlines()) == 4
    assert sorted(p.name for p in out.iterdir()) == ["good.html", report.INDEX_NAME]


def test_batch_folder_without_patient_files(capsys, tmp_path, no_kernel):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    status, _, err = call(capsys, "report", "--batch", tmp_path, "-o", tmp_path / "out")
    assert status == EXIT_USAGE and "no *.yaml" in one_line(err)


# ---------------------------------------------------------------------------------------------
# Real processes: a stopped batch, re-run (slow: kernels)
# ---------------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("stop, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_stopped_batch_leaves_no_temporary_and_resumes(tmp_path, stop, status):
    source = cohort_csv(tmp_path / "c.csv", [f"P{i}" for i in range(6)])
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(ROOT), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    command = [sys.executable, "-m", "netlib.cli", "report", "--batch", str(source), "-o", str(out),
               "--no-progress", "--workers", "1"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not list(out.glob("P*.html")) and process.poll() is None:
        time.sleep(0.2)
    process.send_signal(stop)
    _, err = process.communicate(timeout=60)
    assert process.returncode == status, err
    assert "Traceback" not in err and f"stopped by {stop.name}" in err
    assert netlib_leftovers(out) == []
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == EXIT_OK, again.stderr
    assert len(list(out.glob("P*.html"))) == 6 and netlib_leftovers(out) == []


# ---------------------------------------------------------------------------------------------
# Patient-supplied text in the pages
# ---------------------------------------------------------------------------------------------

def test_batch_markup_in_ids_and_values_is_escaped(capsys, tmp_path, inline_batch):
    source = tmp_path / "c.csv"
    source.write_text('patient_id,primary_site,ki67_percent\n"<script>alert(1)</script>",pancreas,1.5\n'
                      '"<img src=x onerror=alert(2)>",pancreas,"<img src=y onerror=alert(3)>"\n', encoding="utf-8")
    out = tmp_path / "out"
    status, _, err = call(capsys, "report", "--batch", source, "-o", out, "--no-progress")
    assert status == EXIT_SOME_FAILED, err
    pages = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    assert len(pages) == 2 and report.INDEX_NAME in pages
    for name, page in pages.items():
        assert "<script" not in page.lower() and "<img" not in page.lower(), name
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[report.INDEX_NAME]
    assert "&lt;img src=y onerror=alert(3)&gt;" in pages[report.INDEX_NAME]


def test_report_patient_id_with_control_characters_never_reaches_the_page(capsys, tmp_path, inline_batch):
    source = tmp_path / "p.yaml"
    source.write_text('patient_id: "a\\0b\\x1b[31mred"\nprimary_site: pancreas\n', encoding="utf-8")
    status, _, err = call(capsys, "report", source, "-o", tmp_path / "r.html")
    if status == EXIT_USAGE:
        assert "patient_id" in one_line(err)
        return
    assert status == EXIT_OK, err
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert not any(ord(c) < 32 and c not in "\n\r\t" for c in page)


# ---------------------------------------------------------------------------------------------
# PDF (Chromium is slow: two probes only)
# ---------------------------------------------------------------------------------------------

def test_report_pdf_only_onto_an_existing_pdf_is_refused_before_chromium(capsys, tmp_path, no_kernel):
    (tmp_path / "r.pdf").write_bytes(b"%PDF-old")
    status, _, err = call(capsys, "report", MIDGUT_FILE, "-o", tmp_path / "r.pdf")
    assert status == EXIT_USAGE and "r.pdf" in one_line(err) and "--force" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.pdf"]


@pytest.mark.slow
def test_report_pdf_on_a_full_disk_is_exit_74_and_leaves_nothing(capsys, tmp_path, monkeypatch, inline_batch):
    try:
        report.chromium_executable()
    except report.ReportError:
        pytest.skip("no Chromium")

    def full(_descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_files.os, "fsync", full)
    status, _, err = call(capsys, "report", MIDGUT_FILE, "-o", tmp_path / "out" / "r.pdf")
    assert status == EXIT_IO and "No space left on device" in one_line(err)
    assert netlib_leftovers(tmp_path) == [] and not (tmp_path / "out" / "r.pdf").exists()


# ---------------------------------------------------------------------------------------------
# Output folders shared with others: planted links, the input folder itself
# ---------------------------------------------------------------------------------------------

def test_batch_lock_never_follows_a_planted_symlink(capsys, tmp_path, inline_batch):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / report.LOCK_NAME).symlink_to(victim)
    status, _, err = call(capsys, "report", "--batch", cohort_csv(tmp_path / "c.csv", ["A"]), "-o", out,
                          "--no-progress")
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert status in STATUSES and "Traceback" not in err


def test_batch_report_name_planted_as_a_symlink_is_not_followed(capsys, tmp_path, inline_batch):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "A.html").symlink_to(victim)
    source = cohort_csv(tmp_path / "c.csv", ["A"])
    status, _, err = call(capsys, "report", "--batch", source, "-o", out, "--no-progress")
    assert status == EXIT_SOME_FAILED and "failed: A" in err and "--force" in err
    status, _, err = call(capsys, "report", "--batch", source, "-o", out, "--no-progress", "--force")
    assert status == EXIT_OK, err
    assert victim.read_text(encoding="utf-8") == "precious\n" and not (out / "A.html").is_symlink()


def test_batch_into_the_folder_of_its_own_patient_files(capsys, tmp_path, inline_batch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "index.yaml").write_text(yaml_text(MIDGUT), encoding="utf-8")
    (folder / "b.json").write_text(json.dumps(MIDGUT), encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for _ in range(2):  # the second run keeps both reports and reads no report as a patient
        status, _, err = call(capsys, "report", "--batch", folder, "-o", folder, "--no-progress")
        assert status == EXIT_OK, err
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["b.html", "b.json", "index-2.html", "index.html", "index.yaml"]
    assert all(folder.joinpath(n).read_bytes() == data for n, data in before.items())


# ---------------------------------------------------------------------------------------------
# Numbers next to a bound, as the reasons print them
# ---------------------------------------------------------------------------------------------

def test_prrt_empty_option_value_is_not_given(capsys):
    result = calc_json(capsys, "--ki67_percent=")
    assert "ki67" in result["details"]["missing_criteria"]


def test_prrt_exponent_and_trailing_zeros_are_plain_numbers(capsys):
    assert "ki67" not in calc_json(capsys, "--ki67_percent", "2e1")["details"]["failed_criteria"]
    assert "performance_status" not in calc_json(capsys, "--karnofsky_percent", "60.0")["details"]["failed_criteria"]


@pytest.mark.parametrize("args, bound", [(["--ki67_percent", "20.0000001"], "20 %"),
                                         (["--haemoglobin_g_l", "79.9999999"], "80 g/L")])
def test_prrt_reason_never_shows_the_bound_itself_as_failing(capsys, args, bound):
    result = calc_json(capsys, *args)
    (reason,) = result["details"]["reasons"]
    assert f" {bound} is " not in reason, reason


def test_prrt_negative_zero_is_shown_as_zero(capsys):
    result = calc_json(capsys, "--age_years", "-0")
    assert "-0" not in result["details"]["reasons"][0]


# ---------------------------------------------------------------------------------------------
# A single report stopped while its kernel runs (slow: a kernel)
# ---------------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_single_report_stopped_by_a_signal_leaves_nothing(tmp_path, stop):
    template = json.loads((ROOT / "netlib" / "templates" / "patient-report.ipynb").read_text(encoding="utf-8"))
    section = next(c for c in template["cells"] if "section-options" in c["metadata"].get("tags", []))
    section["source"] = "import pathlib, time\npathlib.Path(%r).touch()\ntime.sleep(120)\n" % str(tmp_path / "started")
    (tmp_path / "slow.ipynb").write_text(json.dumps(template), encoding="utf-8")
    out = tmp_path / "out" / "r.html"
    env = dict(os.environ, PYTHONPATH=str(ROOT), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    process = subprocess.Popen([sys.executable, "-m", "netlib.cli", "report", str(MIDGUT_FILE), "-o", str(out),
                                "--template", str(tmp_path / "slow.ipynb"), "--keep-notebook"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while not (tmp_path / "started").exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
    process.send_signal(stop)
    _, err = process.communicate(timeout=60)
    assert not out.exists() and netlib_leftovers(tmp_path) == []
    line = one_line(err)
    assert process.returncode == 128 + stop and f"stopped by {stop.name}" in line and "nothing was written" in line


@pytest.mark.slow
def test_the_stop_handlers_in_place_before_a_report_are_in_place_after_it():
    # nbclient leaves SIGINT and SIGTERM at their defaults when it finishes: a SIGTERM during the PDF that
    # follows would then kill the process without its clean-up.  The engine puts the handlers back.
    from netlib.report_engine import ReportEngine

    def on_term(*_):
        pass

    def on_int(*_):
        pass

    before = signal.signal(signal.SIGTERM, on_term), signal.signal(signal.SIGINT, on_int)
    try:
        with ReportEngine() as engine:
            engine.stop_signals = []
            page = engine.render(MIDGUT, {"patient_id": "probe"})
            assert signal.getsignal(signal.SIGTERM) is on_term and signal.getsignal(signal.SIGINT) is on_int
            engine.stop_signals = None  # nbclient's own handlers: put back the same
            engine.render(MIDGUT, {"patient_id": "probe"})
            assert signal.getsignal(signal.SIGTERM) is on_term and signal.getsignal(signal.SIGINT) is on_int
        assert "<html" in page.lower()
    finally:
        signal.signal(signal.SIGTERM, before[0])
        signal.signal(signal.SIGINT, before[1])


def test_batch_where_every_row_is_bad_writes_only_the_index(capsys, tmp_path, no_kernel):
    source = tmp_path / "c.csv"
    source.write_text("patient_id,ki67_percent\nA,abc\nB,101\n", encoding="utf-8")
    out = tmp_path / "out"
    status, _, err = call(capsys, "report", "--batch", source, "-o", out, "--no-progress")
    assert status == EXIT_SOME_FAILED and "Traceback" not in err
    assert "0 reports written" in err and "2 failed" in err
    assert sorted(p.name for p in out.iterdir()) == [report.INDEX_NAME]
    index = (out / report.INDEX_NAME).read_text(encoding="utf-8")
    assert "ki67_percent" in index and "&#x27;abc&#x27;" in index


@pytest.mark.parametrize("output", ["--json", "--format=cds-hooks"])
def test_recommend_every_field_null_in_every_format(capsys, tmp_path, output):
    source = tmp_path / "p.yaml"
    source.write_text(yaml_text({f.name: None for f in PATIENT_FORM.fields}), encoding="utf-8")
    status, out, err = call(capsys, "recommend", source, output)
    assert status == EXIT_OK and err == ""
    json.loads(out)
