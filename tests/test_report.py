"""Tumour-board reports (netlib.report, netlib/templates/patient-report.ipynb, `netlib report`).

Fast tests check the report body, escaping, provenance, file safety and validation-before-execution
without a kernel.  Tests marked `slow` execute the template on a real kernel; `browser` ones also print
PDFs with headless Chromium.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

import netlib
from netlib import INTENDED_USE, NOT_A_MEDICAL_DEVICE, InputError, cli, report, report_files, report_pdf
from netlib.examples import PATIENT_EXAMPLES
from netlib.pathway import PATIENT_FORM, RULES, recommend
from netlib.renal import cockcroft_gault

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TEMPLATE = ROOT / "netlib" / "templates" / "patient-report.ipynb"
MIDGUT = "progressive-midgut-on-ssa"
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"

# An asset fetched from another host: src=/href=/url()/@import/import() pointing at http(s) or a
# protocol-relative URL.  Written here independently of netlib.report.remote_asset_references.
REMOTE_ASSET = re.compile(r"""(src|href)\s*=\s*["']?\s*(https?:)?//|url\(\s*["']?\s*(https?:)?//|"""
                          r"""@import\s+["']?(https?:)?//|import\(\s*["'](https?:)?//""", re.IGNORECASE)

slow = pytest.mark.slow
browser = pytest.mark.browser
HAS_CHROMIUM = bool(os.environ.get(report.CHROMIUM_ENVIRONMENT_VARIABLE)
                    or any(shutil.which(name) for name in report.CHROMIUM_NAMES))
needs_chromium = pytest.mark.skipif(not HAS_CHROMIUM, reason="no Chromium executable on PATH")


def canonical_sha256(values: dict, measurements: list | None = None) -> str:
    """The documented hash: validated values of the given fields, JSON with sorted keys, no spaces; serial
    scans, when given, as "measurements": [[ISO date, sum of diameters in mm], ...]."""
    clean = {k: v for k, v in PATIENT_FORM.validate(values).items() if v is not None}
    if measurements:
        clean["measurements"] = [[str(m["date"]), float(m["sum_diameters_mm"])] for m in measurements]
    text = json.dumps(clean, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_yaml(path: Path, values: dict) -> Path:
    yaml = pytest.importorskip("yaml")
    path.write_text(yaml.safe_dump(values, sort_keys=False), encoding="utf-8")
    return path


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`netlib ...` in a fresh process, as the console script runs it (not `python -m netlib.cli`, which
    would define a second UsageError class in __main__)."""
    entry = "import sys; from netlib.cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", entry, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


# ---------------------------------------------------------------------------------------------
# The report body (no kernel)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(PATIENT_EXAMPLES))
def test_report_body_has_recommendations_trace_missing_and_notices(name):
    values = dict(PATIENT_EXAMPLES[name])
    result = recommend(values)
    page = report.render_report_html(values, {"patient_id": name})
    for rec in result.recommendations:
        assert rec.name in page or html.escape(rec.name) in page
        assert rec.tier in page
        assert rec.evidence in page
        for key in rec.citations:
            assert key in page
    for rule in RULES:  # the decision trace lists every rule, fired or not
        assert f">{rule.id}<" in page
    for item in result.missing:
        assert html.escape(item.item) in page
    assert html.escape(result.car_t["position"]) in page
    assert html.escape(NOT_A_MEDICAL_DEVICE) in page
    assert html.escape(INTENDED_USE) in page


@pytest.mark.parametrize("name, expected_top", [
    # NETTER-1: midgut NET progressing on an SSA with sufficient SSTR uptake -> 177Lu-dotatate first.
    ("progressive-midgut-on-ssa", "177Lu-dotatate"),
    # ESMO 2020: localised, resectable low-grade pancreatic NET -> resection with curative intent.
    ("localised-pancreatic-g1", "surveillance"),  # ENETS 2023: NF-pNET of 2 cm or less
    # PROMID/CLARINET: SSTR-positive metastatic G1 midgut NET, not progressive -> somatostatin analogue.
    ("metastatic-midgut-g1-low-burden", "Somatostatin analogue"),
])
def test_top_recommendation_is_the_clinically_expected_one(name, expected_top):
    page = report.render_report_html(dict(PATIENT_EXAMPLES[name]), {"patient_id": name})
    top = re.search(r'class="top-recommendation">([^<]*)<', page).group(1)
    assert expected_top.lower() in top.lower()


def test_provenance_names_versions_hash_and_time():
    values = dict(PATIENT_EXAMPLES[MIDGUT])
    page = report.render_report_html(values, {"patient_id": "P-1", "source": "p.yaml",
                                              "generated_at": "2026-01-02T03:04:05+00:00",
                                              "git_revision": "abc123"})
    assert canonical_sha256(values) in page
    assert f"<td class=\"mono\">{netlib.__version__}</td>" in page
    assert recommend(values).ruleset_version in page
    for text in ("P-1", "p.yaml", "2026-01-02T03:04:05+00:00", "abc123", "netlib/templates/patient-report.ipynb"):
        assert text in page


def test_inputs_hash_is_canonical_across_file_formats():
    yaml_like = dict(PATIENT_EXAMPLES[MIDGUT])
    csv_like = {k: ("yes" if v is True else "no" if v is False else str(v)) for k, v in yaml_like.items()}
    assert report.inputs_sha256(yaml_like) == report.inputs_sha256(csv_like) == canonical_sha256(yaml_like)
    changed = dict(yaml_like, ki67_percent=7.0)
    assert report.inputs_sha256(changed) != report.inputs_sha256(yaml_like)


def test_derived_results_come_from_the_calculators():
    values = dict(PATIENT_EXAMPLES[MIDGUT])
    page = report.render_report_html(values, {"patient_id": "x"})
    clearance = cockcroft_gault(age_years=values["age_years"], sex=values["sex"], weight_kg=values["weight_kg"],
                                creatinine_mg_dl=values["creatinine_mg_dl"])
    assert html.escape(clearance.headline()) in page
    assert "NET G2" in page  # Ki-67 6 % is G2 (WHO 2019: 3-20 %)
    # NETTER-1 renal criteria fail with a creatinine of 3 mg/dL: the reasons are listed.
    failing = dict(values, creatinine_mg_dl=3.0)
    reasons = recommend(failing).facts["prrt_result"].details["reasons"]
    assert reasons
    failing_page = report.render_report_html(failing, {"patient_id": "x"})
    for reason in reasons:
        assert html.escape(reason) in failing_page


def test_growth_rate_is_shown_when_the_data_allow():
    values = dict(PATIENT_EXAMPLES[MIDGUT], sum_diameters_baseline_mm=60, sum_diameters_current_mm=72,
                  interval_months=6, recist_response="PD")
    result = recommend(values)
    page = report.render_report_html(values, {"patient_id": "x"})
    assert html.escape(result.facts["tgr_result"].headline()) in page
    assert "RECIST 1.1 response as reported: <strong>PD</strong>" in page


@pytest.mark.parametrize("hostile", [SCRIPT, '"><img src=x onerror=alert(1)>', "<b>bold</b> & 'quoted'"])
def test_patient_supplied_strings_are_escaped(hostile):
    page = report.render_report_html(dict(PATIENT_EXAMPLES[MIDGUT]),
                                     {"patient_id": hostile, "source": hostile})
    assert hostile not in page
    assert html.escape(hostile) in page
    assert "<script" not in page.lower()


def test_index_escapes_ids_and_error_messages():
    bad = report.Patient(SCRIPT, f"{SCRIPT}.yaml", {"primary_site": SCRIPT})
    bad.check()
    assert bad.error_field == "primary_site"
    good = report.Patient("P<1>", "x.yaml", dict(PATIENT_EXAMPLES[MIDGUT]))
    good.check()
    page = report.render_index_html([good, bad], {0: {"html": "P_1.html"}}, "2026-01-01T00:00:00+00:00", None)
    assert "<script" not in page.lower()
    assert ESCAPED_SCRIPT in page
    assert "P&lt;1&gt;" in page
    assert 'href="P_1.html"' in page
    assert "1 failed" in page
    assert html.escape(NOT_A_MEDICAL_DEVICE) in page and html.escape(INTENDED_USE) in page


def test_remote_asset_checker_flags_assets_not_plain_text():
    assert report.remote_asset_references('<script src="https://cdn.example/x.js"></script>')
    assert report.remote_asset_references("<link href='//cdn.example/x.css'>")
    assert report.remote_asset_references("body { background: url(http://example.org/a.png) }")
    assert report.remote_asset_references('await import("https://cdn.example/m.mjs")')
    assert not report.remote_asset_references("<p>see https://doi.org/10.1000/1</p><a href=\"report.pdf\">")


def _css_unescape(quoted: str) -> str:
    """Read back a CSS string of six-digit escapes (written here, independently of netlib.report_pdf)."""
    assert quoted[0] == quoted[-1] == '"'
    return re.sub(r"\\([0-9a-f]{6})", lambda m: chr(int(m.group(1), 16)), quoted[1:-1])


@pytest.mark.parametrize("text", ['P-7', 'a"b', "x\\y", "</style><script>", "Ünï 1\n2", "\\00003c"])
def test_footer_text_is_a_css_string_nothing_can_end(text):
    quoted = report_pdf.css_string(text)
    assert _css_unescape(quoted) == text
    assert re.fullmatch(r'"(?:[A-Za-z0-9]|\\[0-9a-f]{6})*"', quoted), quoted  # no quote, <, space or break


def test_file_names_are_safe_and_unique():
    taken = {"index"}
    names = [report.file_stem(i, taken) for i in ("a/b", "a_b", "../etc", SCRIPT, "", "index", "Ünï")]
    assert len(set(names)) == len(names)
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name), name
    assert "index" not in names


def test_report_body_needs_only_the_standard_library():
    # The notebook layer may import papermill and friends; render_report_html must not (lazy imports).
    probe = ("import sys; sys.path.insert(0, ROOT)\n"
             "from netlib.examples import PATIENT_EXAMPLES\n"
             "from netlib.report import render_report_html\n"
             "values = dict(PATIENT_EXAMPLES['progressive-midgut-on-ssa'])\n"
             "page = render_report_html(values, {'patient_id': 'x'})\n"
             "assert 'decision trace' in page and 'Tumour-board summary' in page\n"
             "outside = sorted(n for n, m in sys.modules.items() if m is not None and n.split('.')[0] not in\n"
             "                 sys.stdlib_module_names and n.split('.')[0] != 'netlib' and n != '__main__')\n"
             "print('NON_STDLIB', outside)\n")
    done = subprocess.run([sys.executable, "-I", "-S", "-c", f"ROOT = {str(ROOT)!r}\n" + probe],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "NON_STDLIB []" in done.stdout


SECTION_HELPERS = ("summary", "options", "exclusions", "missing", "car_t", "patient_data", "figures", "trace")


def test_template_is_thin_and_parameterised():
    notebook = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    tags = [cell["metadata"].get("tags", []) for cell in notebook["cells"]]
    assert sum("parameters" in t for t in tags) == 1
    parameters = next(c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", []))
    for name in ("patient", "patient_id", "provenance", "measurements"):
        assert re.search(rf"^{name} = ", "".join(parameters["source"]), re.M), name
    sections = [c for c in notebook["cells"] if "remove-input" in c["metadata"].get("tags", [])]
    # One cell per section, in the documented order, each a few lines calling one display helper.
    called = [re.search(r"view\.(\w+)\(", "".join(c["source"])).group(1) for c in sections]
    assert called == list(SECTION_HELPERS)
    for cell in sections:
        lines = [line for line in "".join(cell["source"]).splitlines() if line and not line.startswith("#")]
        assert len(lines) <= 3, lines
    code = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    for clinical in ("facts", " if ", "ki67", "grade", "<"):  # no clinical logic, no HTML in the notebook
        assert clinical not in code, clinical
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    assert report.template_problem(TEMPLATE) is None


def test_render_report_html_is_built_from_the_template_helpers():
    values = dict(PATIENT_EXAMPLES[MIDGUT])
    result = recommend(values)
    page = report.render_report_html(values, {"patient_id": "x"})
    for section in report.view.sections(result, values, "x", with_figures=False):
        assert section in page
    # Page 1 first: the summary precedes the detail and ends with a page break when printed.
    assert page.index('class="summary"') < page.index("<h2>Recommendations</h2>")
    assert "page-break-after: always" in report.REPORT_CSS


@pytest.mark.parametrize("name", sorted(PATIENT_EXAMPLES))
def test_summary_has_the_tumour_board_essentials_and_the_car_t_line_once(name):
    values = dict(PATIENT_EXAMPLES[name])
    result = recommend(values)
    summary = report.view.summary(result, values, name)
    assert html.escape(name) in summary
    for label in ("Grade", "Site", "Extent", "SSTR", "Status"):
        assert f"{label}: <strong>" in summary
    shown = result.recommendations[:report.view.SUMMARY_OPTIONS]
    for rec in shown:
        assert html.escape(rec.name) in summary and html.escape(rec.evidence) in summary
        assert html.escape(report.view.one_line(rec.rationale)) in summary
    for rec in result.recommendations[report.view.SUMMARY_OPTIONS:]:
        assert f"<strong>{html.escape(rec.name)}</strong></td>" not in summary
    for item in result.missing:
        assert html.escape(item.item) in summary
    page = report.render_report_html(values, {"patient_id": name})
    assert page.count(html.escape(result.car_t["position"])) == 1  # said once, on page 1


def test_summary_lists_at_most_four_options():
    values = dict(PATIENT_EXAMPLES["progressive-pancreatic-g2"])
    result = recommend(values)
    assert len(result.recommendations) > 4  # the case this test is about
    summary = report.view.summary(result, values, "x")
    assert summary.count("<tr><td><strong>") == 4
    assert f"{len(result.recommendations) - 4} more option" in summary


def test_one_line_reason_is_the_first_sentence():
    assert report.view.one_line("First part. Second part.") == "First part."
    assert report.view.one_line("Only one") == "Only one"


# ---------------------------------------------------------------------------------------------
# Figures and serial measurements
# ---------------------------------------------------------------------------------------------

SCANS = [{"date": "2025-03-03", "sum_diameters_mm": 38}, {"date": "2025-06-02", "sum_diameters_mm": 47.5}]


def test_figures_are_present_when_there_is_data():
    pytest.importorskip("matplotlib")
    values = dict(PATIENT_EXAMPLES[MIDGUT])  # Ki-67 and a prior SSA given
    page = report.render_report_html(values, {"patient_id": "x"}, measurements=SCANS, figures=True)
    for title in ("Tumour size over time", "Prior lines of treatment", "Ki-67 on the WHO grade bands"):
        assert f"<title>{title}</title>" in page
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page  # inline SVG, not documents
    assert not REMOTE_ASSET.search(page) and "<script" not in page.lower()


def test_figures_are_absent_without_data():
    pytest.importorskip("matplotlib")
    values = {k: v for k, v in PATIENT_EXAMPLES[MIDGUT].items() if not k.startswith("prior_")}
    values.pop("ki67_percent")
    values["stated_grade"] = "G2"
    page = report.render_report_html(values, {"patient_id": "x"}, measurements=SCANS[:1], figures=True)
    assert "<svg" not in page and "<h2>Figures</h2>" not in page  # one scan is not a growth curve
    assert report.view.figures(values, ()) == ""
    only_ki67 = report.view.figures({"ki67_percent": 3}, ())
    assert "Ki-67 on the WHO grade bands" in only_ki67 and "Tumour size" not in only_ki67
    assert "Prior lines" not in only_ki67


def test_measurements_are_taken_out_of_the_clinical_values(tmp_path):
    values = {"patient_id": "m", **PATIENT_EXAMPLES[MIDGUT], "measurements": SCANS}
    patient = report.read_patient_file(write_yaml(tmp_path / "m.yaml", values))
    assert "measurements" not in patient.values and patient.patient_id == "m"
    patient.check()
    assert patient.error is None and len(patient.scans) == 2
    assert patient.scan_list() == [{"date": "2025-03-03", "sum_diameters_mm": 38.0},
                                   {"date": "2025-06-02", "sum_diameters_mm": 47.5}]
    # The scans enter the inputs' hash; without scans the hash is the documented one.
    assert report.inputs_sha256(patient.values) == canonical_sha256(dict(PATIENT_EXAMPLES[MIDGUT]))
    assert report.inputs_sha256(patient.values, patient.scans) != report.inputs_sha256(patient.values)


def test_bad_measurements_fail_before_execution(tmp_path, capsys, no_kernel):
    bad = [{"date": "2025-06-02", "sum_diameters_mm": 40}, {"date": "2025-03-03", "sum_diameters_mm": 41}]
    source = write_yaml(tmp_path / "bad.yaml", {**PATIENT_EXAMPLES[MIDGUT], "measurements": bad})
    assert cli.main(["report", str(source), "-o", str(tmp_path / "r.html")]) == 2
    assert "measurements[1].date" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_a_template_without_a_parameters_cell_is_refused_in_one_line(tmp_path, capsys, no_kernel):
    notebook = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        cell["metadata"]["tags"] = [t for t in cell["metadata"].get("tags", []) if t != "parameters"]
    template = tmp_path / "theirs.ipynb"
    template.write_text(json.dumps(notebook), encoding="utf-8")
    source = write_yaml(tmp_path / "p.yaml", dict(PATIENT_EXAMPLES[MIDGUT]))
    for args in ([str(source), "-o", str(tmp_path / "r.html")], ["--batch", str(EXAMPLES / "cohort.csv"),
                                                                 "-o", str(tmp_path / "out")]):
        assert cli.main(["report", *args, "--template", str(template)]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "parameters" in err and str(template) in err
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "out").exists()
    assert "parameters" in report.template_problem(template)
    (tmp_path / "junk.ipynb").write_text("not json", encoding="utf-8")
    assert "not a Jupyter notebook" in report.template_problem(tmp_path / "junk.ipynb")


def test_assembled_page_takes_only_displayed_outputs_of_shown_cells():
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.v4.new_notebook()
    hidden = nbformat.v4.new_code_cell(metadata={"tags": ["remove-cell"]})
    hidden.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<p>HIDDEN</p>"})]
    shown = nbformat.v4.new_code_cell(metadata={"tags": ["remove-input"]})
    shown.outputs = [nbformat.v4.new_output("stream", name="stdout", text="PRINTED"),
                     nbformat.v4.new_output("execute_result", data={"text/plain": "PLAIN", "text/html": "<p>A</p>"},
                                            execution_count=1),
                     nbformat.v4.new_output("display_data",
                                            data={"image/svg+xml": '<?xml version="1.0"?><svg>B</svg>'})]
    notebook.cells = [hidden, shown]
    assert report.assemble_outputs(notebook) == "<p>A</p>\n<svg>B</svg>"
    assert report.view.inline_svg('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
                                  'xmlns:xlink="http://www.w3.org/1999/xlink"><metadata><rdf:RDF/></metadata>'
                                  '<use xlink:href="#m"/></svg>') == '<svg><use xlink:href="#m"/></svg>'


# ---------------------------------------------------------------------------------------------
# File safety and the command line before any kernel starts
# ---------------------------------------------------------------------------------------------

def test_write_atomic_refuses_to_overwrite_and_leaves_nothing_partial(tmp_path, monkeypatch):
    target = tmp_path / "r.html"
    report.write_atomic(target, b"first")
    with pytest.raises(FileExistsError):
        report.write_atomic(target, b"second")
    assert target.read_bytes() == b"first"

    def interrupted(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(report_files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        report.write_atomic(tmp_path / "new.html", b"x" * 100_000)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]
    report.write_atomic(target, b"second", force=True)
    assert target.read_bytes() == b"second"


@pytest.mark.parametrize("change, field", [
    ({"ki67_percent": 120}, "ki67_percent"),                                   # out of range
    ({"primary_site": "liver"}, "primary_site"),                               # not a declared choice
    ({"ki67": 5}, "ki67"),                                                     # not a patient field
    ({"recist_response": "PD", "disease_status": "stable"}, "disease_status"),  # contradiction (Rule)
    ({"stated_grade": "G1"}, "stated_grade"),                                  # contradicts Ki-67 6 % (G2)
])
def test_invalid_parameters_fail_before_execution(tmp_path, capsys, no_kernel, change, field):
    source = write_yaml(tmp_path / "bad.yaml", {**PATIENT_EXAMPLES[MIDGUT], **change})
    out = tmp_path / "out" / "report.html"
    status = cli.main(["report", str(source), "-o", str(out), "--pdf"])
    assert status == 2
    assert field in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]  # no report, no temporary file


def test_existing_report_is_not_overwritten_without_force(tmp_path, capsys, no_kernel):
    source = write_yaml(tmp_path / "p.yaml", dict(PATIENT_EXAMPLES[MIDGUT]))
    out = tmp_path / "report.html"
    out.write_text("keep me")
    assert cli.main(["report", str(source), "-o", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_text() == "keep me"


@pytest.mark.parametrize("args", [
    ["p.yaml", "--batch", "x.csv", "-o", "out"],  # both one patient and a batch
    ["-o", "out.html"],                            # neither
    ["p.yaml", "-o", "report.txt"],                # not .html or .pdf
    ["--batch", "missing.csv", "-o", "out"],       # no such batch source
    ["missing.yaml", "-o", "out.html"],            # no such patient file
])
def test_bad_usage_exits_2(tmp_path, monkeypatch, no_kernel, args):
    monkeypatch.chdir(tmp_path)
    write_yaml(tmp_path / "p.yaml", dict(PATIENT_EXAMPLES[MIDGUT]))
    assert cli.main(["report", *args]) == 2


def test_batch_csv_with_an_unknown_column_is_refused_before_execution(tmp_path, capsys, no_kernel):
    source = tmp_path / "c.csv"
    source.write_text("patient_id,ki67\nA,5\n", encoding="utf-8")
    assert cli.main(["report", "--batch", str(source), "-o", str(tmp_path / "out")]) == 2
    assert "ki67" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_csv_rows_follow_the_cohort_convention(tmp_path):
    source = tmp_path / "c.csv"
    source.write_text("patient_id,primary_site,ki67_percent,differentiation\n"
                      ",pancreas,,well\n"
                      "P2,small_intestine,4,well\n", encoding="utf-8")
    first, second = report.read_csv_patients(source)
    assert (first.patient_id, first.values) == ("1", {"primary_site": "pancreas", "differentiation": "well"})
    assert (second.patient_id, second.values["ki67_percent"]) == ("P2", "4")


def test_examples_are_synthetic_patients_from_netlib_examples():
    yaml = pytest.importorskip("yaml")
    files = sorted(EXAMPLES.glob("*.yaml"))
    assert {"progressive-midgut.yaml", "localised-pancreatic.yaml"} <= {f.name for f in files}
    for file in files:
        values = yaml.safe_load(file.read_text(encoding="utf-8"))
        patient_id = values.pop("patient_id")
        values.pop("measurements", None)  # serial scans: not patient fields (netlib.measurements)
        assert values == dict(PATIENT_EXAMPLES[patient_id]), file.name
    with (EXAMPLES / "cohort.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert set(PATIENT_EXAMPLES) <= {row["patient_id"] for row in rows}
    bad = []
    for row in rows:
        patient_id = row.pop("patient_id")
        values = {k: v for k, v in row.items() if v != ""}
        if patient_id in PATIENT_EXAMPLES:
            assert report.canonical_inputs(values) == report.canonical_inputs(PATIENT_EXAMPLES[patient_id])
        else:
            with pytest.raises(InputError):
                recommend(values)
            bad.append(patient_id)
    assert len(bad) == 1  # exactly one deliberately bad row


# ---------------------------------------------------------------------------------------------
# Executing the template (kernel) and printing (Chromium)
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def midgut_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("single")
    out = folder / "report.html"
    done = run_cli("report", str(EXAMPLES / "progressive-midgut.yaml"), "-o", str(out), cwd=folder)
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8")


@slow
def test_cli_report_has_recommendations_trace_and_provenance(midgut_report):
    values = dict(PATIENT_EXAMPLES[MIDGUT])
    result = recommend(values)
    page = midgut_report
    assert re.search(r'class="top-recommendation">177Lu-dotatate \(PRRT\) \(preferred\)<', page)
    for rec in result.recommendations:
        assert html.escape(rec.name) in page
    for rule in RULES:
        assert f">{rule.id}<" in page
    yaml = pytest.importorskip("yaml")
    scans = yaml.safe_load((EXAMPLES / "progressive-midgut.yaml").read_text(encoding="utf-8"))["measurements"]
    assert canonical_sha256(values, scans) in page
    assert "<title>Tumour size over time</title>" in page  # the example's serial scans
    assert netlib.__version__ in page and result.ruleset_version in page
    assert html.escape(NOT_A_MEDICAL_DEVICE) in page and html.escape(INTENDED_USE) in page
    assert "render_report_html" not in page and "view." not in page  # the code is hidden
    assert "%reset" not in page and "provenance = {" not in page


@slow
def test_cli_report_has_no_remote_assets(midgut_report):
    assert not REMOTE_ASSET.search(midgut_report)
    assert "http://" not in midgut_report and "https://" not in midgut_report
    assert "<script" not in midgut_report.lower()  # nothing to fetch, nothing to run


@slow
def test_script_injection_appears_as_text(tmp_path):
    source = write_yaml(tmp_path / "p.yaml", {"patient_id": SCRIPT, **PATIENT_EXAMPLES[MIDGUT]})
    done = run_cli("report", str(source), "-o", "r.html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert SCRIPT not in page and "<script" not in page.lower()
    assert ESCAPED_SCRIPT in page
    assert f"<title>Tumour-board report: {ESCAPED_SCRIPT}</title>" in page


@slow
@browser
@needs_chromium
@pytest.mark.parametrize("margin_boxes", [True, False], ids=["css-margin-boxes", "chromium-footer-template"])
def test_pdf_footer_names_the_patient_and_the_page_on_every_page(margin_boxes):
    # The footer is CSS @page margin boxes from Chromium 131, Chromium's footer template before it.
    pypdf = pytest.importorskip("pypdf")
    import io

    patient_id = 'P "7" </style> Ünï'
    body = report.render_report_html(PATIENT_EXAMPLES[MIDGUT], {"patient_id": patient_id})
    page = f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'
    with report.PdfPrinter() as printer:
        if margin_boxes and not printer.margin_boxes:
            pytest.skip("this Chromium is older than 131: no @page margin boxes")
        printer.margin_boxes = margin_boxes
        reader = pypdf.PdfReader(io.BytesIO(printer.pdf(page, patient_id)))
    total = len(reader.pages)
    assert total >= 2
    for number, pdf_page in enumerate(reader.pages, 1):
        text = unicodedata.normalize("NFC", pdf_page.extract_text())
        assert patient_id in text and f"netlib {netlib.__version__}" in text and NOT_A_MEDICAL_DEVICE in text
        assert f"{number}/{total}" in text


@slow
@browser
@needs_chromium
def test_pdf_has_pages_and_the_top_recommendation(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    done = run_cli("report", str(EXAMPLES / "progressive-midgut.yaml"), "-o", "r.html", "--pdf", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "r.html").is_file()
    reader = pypdf.PdfReader(tmp_path / "r.pdf")
    assert len(reader.pages) >= 1
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "177Lu-dotatate (PRRT)" in text
    assert "Not a medical device" in text

    only = run_cli("report", str(EXAMPLES / "localised-pancreatic.yaml"), "-o", "only.pdf", cwd=tmp_path)
    assert only.returncode == 0, only.stderr
    assert (tmp_path / "only.pdf").read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "only.html").exists()
    assert not list(tmp_path.glob(".*.part"))


@slow
@browser
@needs_chromium
def test_batch_with_one_bad_row_writes_the_others_and_exits_1(tmp_path):
    source = tmp_path / "cohort.csv"
    rows = (EXAMPLES / "cohort.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    hostile = dict.fromkeys(header, "")
    hostile.update(patient_id=SCRIPT, primary_site="pancreas")
    with source.open("w", newline="", encoding="utf-8") as handle:
        handle.write("\n".join(rows) + "\n")
        csv.DictWriter(handle, fieldnames=header).writerow(hostile)
    done = run_cli("report", "--batch", str(source), "-o", "out", "--pdf", "--workers", "2", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    out = tmp_path / "out"
    written = sorted(p.name for p in out.iterdir())
    for name in PATIENT_EXAMPLES:
        assert f"{name}.html" in written and f"{name}.pdf" in written
    assert "script_alert_1_script.html" in written  # the hostile id, made a safe file name
    assert not [n for n in written if n.endswith(".part")]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<script" not in index.lower() and ESCAPED_SCRIPT in index
    assert "bad-ki67-out-of-range" in index and "ki67_percent" in index and "failed" in index
    assert "177Lu-dotatate (PRRT) (preferred)" in index
    assert "bad-ki67-out-of-range" in done.stderr and "1 failed" in done.stderr
    hostile_page = (out / "script_alert_1_script.html").read_text(encoding="utf-8")
    assert ESCAPED_SCRIPT in hostile_page and "<script" not in hostile_page.lower()

    # A re-run without --force keeps every report (same inputs) and rewrites only the index.
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.name != "index.html"}
    again = run_cli("report", "--batch", str(source), "-o", "out", "--pdf", cwd=tmp_path)
    assert again.returncode == 1, again.stderr  # the bad row still fails
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.name != "index.html"} == before
    assert "already present" in (out / "index.html").read_text(encoding="utf-8")


@slow
def test_batch_folder_and_a_failing_template_lose_no_other_patient(tmp_path):
    folder = tmp_path / "patients"
    folder.mkdir()
    for name in ("progressive-midgut.yaml", "localised-pancreatic.yaml"):
        shutil.copy(EXAMPLES / name, folder / name)
    write_yaml(folder / "boom.yaml", {"patient_id": "boom", **PATIENT_EXAMPLES["progressive-pancreatic-g2"]})
    write_yaml(folder / "die.yaml", {"patient_id": "die", **PATIENT_EXAMPLES["progressive-pancreatic-g2"]})
    (folder / "broken.yaml").write_text("primary_site: [unclosed\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not a patient", encoding="utf-8")
    # A template that fails for one patient and kills its kernel for another, after their input was
    # accepted; with one worker, the patients after them run on the same (restarted) kernel.
    notebook = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    report_cell = next(c for c in notebook["cells"] if "section-summary" in c["metadata"].get("tags", []))
    report_cell["source"] = ["assert provenance['patient_id'] != 'boom', 'template failure'\n",
                             "if provenance['patient_id'] == 'die':\n",
                             "    import os; os._exit(1)\n"] + report_cell["source"]
    template = tmp_path / "template.ipynb"
    template.write_text(json.dumps(notebook), encoding="utf-8")

    done = run_cli("report", "--batch", str(folder), "-o", "out", "--workers", "1", "--no-progress",
                   "--template", str(template), "--keep-notebook", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["index.html", "localised-pancreatic-g1.html", "localised-pancreatic-g1.ipynb",
                       "progressive-midgut-on-ssa.html", "progressive-midgut-on-ssa.ipynb"]
    kept = json.loads((tmp_path / "out" / "progressive-midgut-on-ssa.ipynb").read_text(encoding="utf-8"))
    assert kept["metadata"]["netlib"]["patient_id"] == "progressive-midgut-on-ssa"
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "template failure" in index and "broken.yaml" in index and "kernel" in index
    assert "3 failed" in done.stderr


@slow
def test_one_kernel_renders_many_patients_without_leaking_state():
    with report.ReportEngine() as engine:
        pid = engine.km.provisioner.pid
        pages = {name: engine.render(dict(values), {"patient_id": name})
                 for name, values in PATIENT_EXAMPLES.items()}
        assert engine.km.provisioner.pid == pid  # the same kernel throughout
    for name, page in pages.items():
        assert canonical_sha256(dict(PATIENT_EXAMPLES[name])) in page
        for other in set(PATIENT_EXAMPLES) - {name}:
            assert f"Patient: <strong class=\"patient-id\">{other}<" not in page
            assert canonical_sha256(dict(PATIENT_EXAMPLES[other])) not in page


@slow
@pytest.mark.parametrize("name", sorted(PATIENT_EXAMPLES))
def test_papermill_runs_the_template_for_every_example(tmp_path, name):
    papermill = pytest.importorskip("papermill")
    out = tmp_path / "executed.ipynb"
    papermill.execute_notebook(str(TEMPLATE), str(out), progress_bar=False, log_output=False,
                               parameters={"patient": dict(PATIENT_EXAMPLES[name]),
                                           "provenance": {"patient_id": name}})
    executed = json.loads(out.read_text(encoding="utf-8"))
    outputs = [o for c in executed["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    html_text = "".join("".join(o["data"]["text/html"]) for o in outputs if "text/html" in o.get("data", {}))
    best = recommend(dict(PATIENT_EXAMPLES[name])).recommendations[0]
    assert html.escape(best.name) in html_text
    for heading in ("Tumour-board summary", "Recommendations", "Missing information", "CAR-T", "Patient data",
                    "Derived results", "Appendix: decision trace"):
        assert heading in html_text, heading
    assert "Ki-67 on the WHO grade bands" in html_text  # every example gives Ki-67


@slow
def test_a_custom_template_is_used(tmp_path):
    notebook = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    notebook["cells"].insert(5, {"cell_type": "code", "execution_count": None, "id": "centre",
                                 "metadata": {"tags": ["remove-input"]}, "outputs": [],
                                 "source": ["HTML('<p class=\"centre\">Our centre: MDT Tuesday 8:00</p>')"]})
    template = tmp_path / "ours.ipynb"
    template.write_text(json.dumps(notebook), encoding="utf-8")
    done = run_cli("report", str(EXAMPLES / "localised-pancreatic.yaml"), "-o", "r.html", "--template",
                   str(template), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<p class="centre">Our centre: MDT Tuesday 8:00</p>' in page
    assert page.index("Tumour-board summary") < page.index("Our centre") < page.index("<h2>Recommendations")
    assert html.escape(NOT_A_MEDICAL_DEVICE) in page and "Inputs SHA-256" in page  # the frame stays


def _section_outputs(notebook: dict) -> list[str]:
    """The text/html and SVG outputs of the section cells, without the generated_at timestamp."""
    found = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code" or "remove-input" not in cell["metadata"].get("tags", []):
            continue
        for output in cell.get("outputs", []):
            for kind in ("text/html", "image/svg+xml"):
                if kind in output.get("data", {}):
                    found.append(re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", "<time>",
                                        "".join(output["data"][kind])))
    return found


@slow
def test_kept_notebook_is_the_audit_record_and_re_executes_to_the_same_outputs(tmp_path):
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    done = run_cli("report", str(EXAMPLES / "progressive-midgut.yaml"), "-o", "r.html", "--keep-notebook",
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert not list(tmp_path.glob(".*.part"))
    kept = json.loads((tmp_path / "r.ipynb").read_text(encoding="utf-8"))
    record = kept["metadata"]["netlib"]
    values = dict(PATIENT_EXAMPLES[MIDGUT])
    assert record["ruleset_version"] == recommend(values).ruleset_version
    assert record["netlib_version"] == netlib.__version__
    assert record["git_revision"] and record["inputs_sha256"] in (tmp_path / "r.html").read_text(encoding="utf-8")
    before = _section_outputs(kept)
    assert any("Tumour size over time" in output for output in before)  # the example's serial scans
    again = nbformat.read(tmp_path / "r.ipynb", as_version=4)
    nbclient.NotebookClient(again, timeout=120, kernel_name="python3").execute()
    assert _section_outputs(json.loads(nbformat.writes(again))) == before


SECTION_HEADINGS = {"Options", "Recommendations", "Missing information", "CAR-T cell therapy: the reasons",
                    "Patient data", "Derived results", "Figures", "Appendix: decision trace", "Provenance"}


@slow
@browser
@needs_chromium
def test_pdf_page_one_holds_the_summary_of_every_example(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    yaml = pytest.importorskip("yaml")
    files = sorted(EXAMPLES.glob("*.yaml"))
    folder = tmp_path / "in"
    folder.mkdir()
    for file in files:
        shutil.copy(file, folder / file.name)
    done = run_cli("report", "--batch", str(folder), "-o", "out", "--pdf", "--no-progress", "--workers", "2",
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for file in files:
        values = yaml.safe_load(file.read_text(encoding="utf-8"))
        patient_id = values.pop("patient_id")
        values.pop("measurements", None)
        result = recommend(values)
        reader = pypdf.PdfReader(tmp_path / "out" / f"{patient_id}.pdf")
        first = " ".join(unicodedata.normalize("NFKC", reader.pages[0].extract_text()).split())
        assert "Tumour-board summary" in first and "CAR-T" in first, patient_id
        for rec in result.recommendations[:4]:
            assert " ".join(rec.name.split()) in first, (patient_id, rec.name)
        second = " ".join(reader.pages[1].extract_text().split())
        assert "Tumour-board summary" not in second and "Recommendations" in second  # summary fits page 1
        # A section heading is never left alone at the foot of a page (print CSS: break-after: avoid).
        for number, page in enumerate(reader.pages, start=1):
            lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
            assert lines[-1] not in SECTION_HEADINGS, (patient_id, number, lines[-1])
