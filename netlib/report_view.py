"""Display helpers for the tumour-board report: small functions returning escaped HTML pieces.

The report template (``netlib/templates/patient-report.ipynb``) calls these, one section per cell, and
:func:`netlib.report.render_report_html` builds the same sections from the same functions, so there is
one way to make each section.  Every patient-supplied string is escaped with :func:`html.escape`.
No clinical logic lives here: every value comes from :func:`netlib.pathway.recommend` (and, for the
figures, from :mod:`netlib.figures`, which reads netlib's constants).

The template contract (what a centre's own template, passed with ``netlib report --template``, may rely on):

* **parameters**: exactly one code cell tagged ``parameters`` defining ``patient`` (the validated patient
  fields as given, a dict), ``patient_id`` (str), ``provenance`` (dict: patient_id, source, generated_at,
  git_revision) and ``measurements`` (a list of ``{date, sum_diameters_mm}`` scans, possibly empty).
  papermill injects the values in a cell below it; the CLI refuses a template without this cell (exit 2).
* **helpers**: ``result = recommend(patient)`` and ``scans = read_measurements(measurements)``, then one
  cell per section calling :func:`summary`, :func:`options`, :func:`exclusions`, :func:`missing`,
  :func:`car_t`, :func:`patient_data`, :func:`figures`, :func:`trace` (each returns an HTML string; a cell
  shows it with ``IPython.display.HTML``; an empty string shows nothing).
* **tags**: ``parameters`` (above); ``remove-cell`` drops a cell from the report (notes, set-up);
  ``remove-input`` marks a section cell (only its output is shown).  The report page is every
  ``text/html``, ``image/svg+xml`` and ``image/png`` output of the cells not tagged ``remove-cell`` or
  ``parameters``, in order, inside the fixed frame (:func:`page`): title, intended-use notice, and the
  provenance table (rule-set version, netlib version, git revision, inputs SHA-256), which a template
  cannot remove.

Standard library only (the figures import matplotlib when called).
"""

from __future__ import annotations

import html
from typing import Any, Iterable, Mapping, Sequence

from . import INTENDED_USE, NOT_A_MEDICAL_DEVICE, __version__

__all__ = ["REPORT_CSS", "PROVENANCE_LABELS", "SUMMARY_OPTIONS", "top_recommendation", "one_line",
           "summary", "options", "exclusions", "missing", "car_t", "patient_data", "figures", "trace",
           "provenance_table", "page", "sections"]

TEMPLATE_NAME = "netlib/templates/patient-report.ipynb"  # as the report's provenance names it
# Page 1 lists at most this many options (the tumour board's short list); every option follows in detail.
SUMMARY_OPTIONS = 4

_e = html.escape  # quote=True: safe in text and in attribute values
_TABLE = '<table class="nr">'  # the class outranks JupyterLab's right-aligned, fixed-layout output tables

REPORT_CSS = """
.netlib-report { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  font-size: 14px; line-height: 1.45; color: #1d1d1d; max-width: 60rem; }
.netlib-report h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
.netlib-report h2 { font-size: 1.15rem; margin: 1.4rem 0 .4rem; border-bottom: 1px solid #bbb; }
.netlib-report h2, .netlib-report h3 { break-after: avoid; page-break-after: avoid; }
.netlib-report table.nr { border-collapse: collapse; width: 100%; margin: .3rem 0; table-layout: auto;
  font-size: inherit; }
.netlib-report table.nr th, .netlib-report table.nr td { border: 1px solid #ccc; padding: .25rem .45rem;
  text-align: left; vertical-align: top; line-height: 1.4; }
.netlib-report table.nr th { background: #f0f0f0; }
.netlib-report table.nr th[scope="row"] { width: 14rem; }
.netlib-report tr, .netlib-report li, .netlib-report dl { break-inside: avoid; page-break-inside: avoid; }
.netlib-report .notice { border: 2px solid #a33; background: #fff3f3; padding: .5rem .7rem; margin: .6rem 0; }
.netlib-report .glance { border: 1px solid #369; background: #f3f7fb; padding: .5rem .7rem; }
.netlib-report .tier { display: inline-block; padding: 0 .4rem; border-radius: .3rem; background: #e4ecf4;
  font-size: .85em; }
.netlib-report .tier-preferred { background: #d6efd8; }
.netlib-report .muted { color: #555; font-size: .9em; }
.netlib-report table.nr tr.fired td { background: #eaf6ea; }
.netlib-report code { font-size: .9em; }
.netlib-report .summary { break-after: page; page-break-after: always; }
.netlib-report .summary h1 { margin-bottom: .1rem; }
.netlib-report .summary table.nr { font-size: .95em; }
.netlib-report .summary .facts { margin: .3rem 0; }
.netlib-report figure { margin: .4rem 0; break-inside: avoid; page-break-inside: avoid; }
.netlib-report figure svg { max-width: 100%; height: auto; }
.netlib-report table.nr td.nowrap { white-space: nowrap; }
.netlib-report ul.skipped-rules { font-size: .72em; line-height: 1.25; columns: 2; column-gap: 1.5rem;
  padding-left: 0; list-style: none; margin: .2rem 0; }
.netlib-report ul.skipped-rules li { margin: 0 0 .1rem; }
.netlib-report ul.skipped-rules .rule { font-weight: 600; }
.netlib-report table.nr td.mono { word-break: break-all; font-family: monospace; }
"""


def _text(value: Any) -> str:
    """A value as the patient file gave it, escaped."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return _e(str(value))


def _keys(citations: Iterable[str]) -> str:
    keys = list(citations)
    return f'<span class="muted">[{_e(", ".join(keys))}]</span>' if keys else ""


def _tier(tier: str) -> str:
    return f'<span class="tier tier-{_e(tier.replace(" ", "-"))}">{_e(tier)}</span>'


def _result_cell(result) -> str:
    """A calculator Result: headline, interpretation, warnings and sources."""
    if result is None:
        return '<span class="muted">not available from the inputs given</span>'
    parts = [f"<strong>{_e(result.headline())}</strong> <span class=\"muted\">({_e(result.calculator)})</span>",
             f"<div>{_e(result.interpretation)} {_keys(result.citations)}</div>"]
    parts += [f'<div class="muted">Warning: {_e(w)}</div>' for w in result.warnings]
    return "".join(parts)


def _patient_rows(patient: Mapping[str, Any]) -> str:
    from .pathway import PATIENT_FORM

    rows = []
    for declared in PATIENT_FORM.fields:
        if declared.name not in patient or patient[declared.name] in (None, ""):
            continue
        given = patient[declared.name]
        shown = _text(given)
        if declared.kind == "choice" and isinstance(given, str) and declared.label_for(given) != given:
            shown += f' <span class="muted">({_e(declared.label_for(given))})</span>'
        rows.append(f"<tr><td>{_e(declared.label)}</td><td><code>{_e(declared.name)}</code></td>"
                    f"<td>{shown}</td><td>{_e(declared.unit)}</td></tr>")
    if not rows:
        return '<p class="muted">No inputs were given.</p>'
    return (f"{_TABLE}<thead><tr><th>Input</th><th>Field</th><th>Value as given</th><th>Unit</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _derived_rows(facts: Mapping[str, Any]) -> str:
    grade = facts["grade"]
    source = {"stated": "as reported", None: ""}.get(facts["grade_source"], f"from {facts['grade_source']}")
    grade_cell = (f"<strong>{_e(grade)}</strong> <span class=\"muted\">{_e(source)}</span>" if grade
                  else '<span class="muted">not determined</span>')
    if facts["grade_result"] is not None:
        grade_cell += _result_cell(facts["grade_result"]).join(("<div>", "</div>"))

    sstr_cell = (f"Expression (for an SSA): <strong>{_e(facts['sstr_expression'])}</strong>; "
                 f"uptake for PRRT: <strong>{_e(facts['prrt_uptake'])}</strong>")
    if facts["sstr_result"] is not None:
        sstr_cell += _result_cell(facts["sstr_result"]).join(("<div>", "</div>"))

    prrt = facts["prrt_result"]
    prrt_cell = _result_cell(prrt)
    reasons = prrt.details.get("reasons", ())
    if reasons:
        prrt_cell += "<ul>" + "".join(f"<li>{_e(r)}</li>" for r in reasons) + "</ul>"
    missing = prrt.details.get("missing_criteria", ())
    if missing:
        prrt_cell += f'<div class="muted">Not yet assessable: {_e(", ".join(missing))}</div>'

    status = facts["status"]
    response = [f"Disease status: <strong>{_e(status)}</strong>" if status
                else 'Disease status: <span class="muted">not given</span>']
    if facts["recist_response"] is not None:
        response.append(f"RECIST 1.1 response as reported: <strong>{_e(facts['recist_response'])}</strong>")
    response.append("Tumour growth rate: " + _result_cell(facts["tgr_result"]))

    rows = (("Grade", grade_cell), ("Somatostatin-receptor status", sstr_cell),
            ("Renal function", _result_cell(facts["renal_result"])), ("PRRT eligibility (NETTER-1)", prrt_cell),
            ("Response and growth", "".join(f"<div>{line}</div>" for line in response)))
    body = "".join(f"<tr><th scope=\"row\">{_e(label)}</th><td>{cell}</td></tr>" for label, cell in rows)
    return f"{_TABLE}<tbody>{body}</tbody></table>"


def _recommendation_items(result) -> str:
    if not result.recommendations:
        why = result.redirect or "No option can be recommended until the missing information below is known."
        return f"<p>{_e(why)}</p>"
    items = []
    for rec in result.recommendations:
        parts = [f"<strong>{_e(rec.name)}</strong> {_tier(rec.tier)}",
                 f"<div>{_e(rec.rationale)}</div>",
                 f'<div class="muted">Evidence: {_e(rec.evidence)}. Rules: {_e(", ".join(rec.rule_ids))}. '
                 f'Sources: {_e(", ".join(rec.citations))}.</div>']
        if rec.dose:
            parts.insert(2, f"<div>Dose: {_e(rec.dose)}</div>")
        items.append("<li>" + "".join(parts) + "</li>")
    return "<ol>" + "".join(items) + "</ol>"


def _exclusion_rows(result) -> str:
    if not result.excluded:
        return ""
    rows = "".join(f'<tr><td>{_e(x.name)}</td><td class="nowrap">{_e(x.rule_id)}</td><td>{_e(x.reason)} '
                   f"{_keys(x.citations)}</td></tr>" for x in result.excluded)
    return (f"<h3>Not recommended</h3>{_TABLE}<thead><tr><th>Option</th><th>Rule</th><th>Reason</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>")


def _missing_items(result) -> str:
    if not result.missing:
        return "<p>Nothing the decision tables need is missing.</p>"
    items = "".join(f"<li><strong>{_e(m.item)}</strong>: {_e(m.how)}</li>" for m in result.missing)
    return f"<ul>{items}</ul>"


def _trace_rows(result) -> str:
    """Every rule of the decision tables: the rules that fired with their outcome, then (compact, small
    print) each rule that was not applied with the condition that decided it."""
    fired = "".join(f'<tr class="fired"><td class="nowrap">{_e(t.rule_id)}</td><td>{_e(t.decided_by)}</td>'
                    f"<td>{_e(t.outcome)}</td></tr>" for t in result.trace if t.fired)
    skipped = "".join(f'<li><span class="rule">{_e(t.rule_id)}</span> {_e(t.decided_by)}</li>'
                      for t in result.trace if not t.fired)
    return (f"<h3>Rules that fired</h3>{_TABLE}<thead><tr><th>Rule</th><th>Decided by</th><th>Outcome</th></tr>"
            f'</thead><tbody>{fired}</tbody></table><h3>Rules not applied, and the condition that decided it</h3>'
            f'<ul class="skipped-rules">{skipped}</ul>')


def top_recommendation(result) -> str:
    """One line for the index and the report's summary: the best option with its tier, or why there is none."""
    if result.recommendations:
        best = result.recommendations[0]
        return f"{best.name} ({best.tier})"
    if result.redirect:
        return "redirected: outside the low-grade pathway"
    return "none until the missing information is known"


PROVENANCE_LABELS = (
    ("patient_id", "Patient"), ("source", "Input"), ("inputs_sha256", "Inputs SHA-256 (canonical JSON)"),
    ("netlib_version", "netlib version"), ("ruleset_version", "Rule-set version"),
    ("git_revision", "Git revision"), ("template", "Template"), ("generated_at", "Generated (UTC)"),
)




# ---------------------------------------------------------------------------------------------
# Sections: one function per template cell
# ---------------------------------------------------------------------------------------------

def one_line(text: str) -> str:
    """The first sentence of a rationale (the summary's one-line reason)."""
    text = " ".join(str(text).split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def _label(name: str, value: Any) -> str:
    from .pathway import PATIENT_FORM

    for declared in PATIENT_FORM.fields:
        if declared.name == name and declared.kind == "choice" and isinstance(value, str):
            return declared.label_for(value)
    return str(value)


def _patient_line(patient: Mapping[str, Any], patient_id: str) -> str:
    parts = [f'Patient: <strong class="patient-id">{_e(patient_id)}</strong>']
    if patient.get("age_years") not in (None, ""):
        parts.append(f"{_e(str(patient['age_years']))} years")
    if patient.get("sex") not in (None, ""):
        parts.append(_e(_label("sex", patient["sex"])))
    return " · ".join(parts)


def summary(result, patient: Mapping[str, Any], patient_id: str, *, limit: int = SUMMARY_OPTIONS) -> str:
    """Page 1, the tumour-board summary: patient line; grade, site, extent, SSTR, status; the top options
    (at most ``limit``) with tier, evidence and a one-line reason; what blocks a decision; the CAR-T line.
    Ends with a page break when printed."""
    facts = result.facts
    known = lambda value: value not in (None, "", "unknown")  # noqa: E731
    line = [("Grade", facts.get("grade")), ("Site", _label("primary_site", facts.get("primary_site"))
                                              if known(facts.get("primary_site")) else None),
            ("Extent", _label("extent", facts.get("extent")) if known(facts.get("extent")) else None),
            ("SSTR", facts.get("sstr_expression")), ("PRRT uptake", facts.get("prrt_uptake")),
            ("Status", _label("disease_status", facts.get("status")) if known(facts.get("status")) else None)]
    fact_line = " · ".join(f"{_e(label)}: <strong>{_e(str(value)) if known(value) else 'not known'}</strong>"
                           for label, value in line)
    if result.recommendations:
        rows = "".join(f"<tr><td><strong>{_e(rec.name)}</strong></td><td>{_tier(rec.tier)}</td>"
                       f"<td>{_e(rec.evidence)}</td><td>{_e(one_line(rec.rationale))}</td></tr>"
                       for rec in result.recommendations[:limit])
        more = len(result.recommendations) - limit
        options_html = (f"{_TABLE}<thead><tr><th>Option</th><th>Tier</th><th>Evidence</th><th>Why</th></tr></thead>"
                        f"<tbody>{rows}</tbody></table>"
                        + (f'<p class="muted">{more} more option{"s" if more > 1 else ""} in the detail below.</p>'
                           if more > 0 else ""))
    else:
        why = result.redirect or "No option can be recommended until the missing information below is known."
        options_html = f"<p>{_e(why)}</p>"
    blocking = (f"<p><strong>Missing, needed for a decision:</strong> "
                f"{_e('; '.join(m.item for m in result.missing))}</p>" if result.missing
                else '<p class="muted">Nothing the decision tables need is missing.</p>')
    redirect = f"<p><strong>Redirected:</strong> {_e(result.redirect)}</p>" if result.redirect else ""
    return f"""<div class="summary">
<h1>Tumour-board summary</h1>
<p>{_patient_line(patient, patient_id)}</p>
<div class="glance">
<div class="facts">{fact_line}</div>
<div>Pathway: <strong>{_e(result.pathway)}</strong> (rule set {_e(result.ruleset_version)}) · Top recommendation:
<strong class="top-recommendation">{_e(top_recommendation(result))}</strong></div>
</div>
{redirect}
<h2>Options</h2>
{options_html}
{blocking}
<p class="car-t"><strong>CAR-T:</strong> {_e(result.car_t["position"])} {_keys(_car_t_citations(result))}</p>
</div>"""


def _car_t_citations(result) -> tuple[str, ...]:
    for statement, keys in result.always:
        if statement == result.car_t["position"]:
            return tuple(keys)
    return ()


def options(result) -> str:
    """Every option with its reason, dose, evidence, rules and sources; work-up; what applies to everyone."""
    always = "".join(f"<li>{_e(statement)} {_keys(keys)}</li>" for statement, keys in result.always
                     if statement != result.car_t["position"])  # the CAR-T line is on page 1, once
    advice = "".join(f"<li>{_e(statement)} {_keys(keys)}</li>" for statement, keys in result.advice)
    advice = f"<h3>Work-up</h3><ul>{advice}</ul>" if advice else ""
    return (f"<h2>Recommendations</h2>\n{_recommendation_items(result)}\n{advice}"
            + (f"\n<h3>For every patient</h3>\n<ul>{always}</ul>" if always else ""))


def exclusions(result) -> str:
    """The options the rules exclude, with the rule and the reason (empty when none is excluded)."""
    return _exclusion_rows(result)


def missing(result) -> str:
    return f"<h2>Missing information</h2>\n{_missing_items(result)}"


def car_t(result) -> str:
    """Why CAR-T cell therapy is not an option (the position itself is stated once, on page 1)."""
    reasons = "".join(f"<li>{_e(r['statement'])} {_keys(r['citations'])}</li>" for r in result.car_t["reasons"])
    return f"<h2>CAR-T cell therapy: the reasons</h2>\n<ul>{reasons}</ul>"


def patient_data(result, patient: Mapping[str, Any]) -> str:
    return (f"<h2>Patient data</h2>\n{_patient_rows(patient)}\n"
            f"<h2>Derived results</h2>\n{_derived_rows(result.facts)}")


def figures(patient: Mapping[str, Any], scans: Sequence = ()) -> str:
    """The patient's figures as inline SVG: growth over the scans (two or more), prior lines (when any
    was given), Ki-67 on the WHO bands (when given).  Empty when there is nothing to draw."""
    from . import figures as charts

    drawn = []
    if len(scans) >= 2:
        drawn.append(("Tumour size over time", charts.growth_chart_svg(scans)))
    prior = charts.prior_lines_svg(patient)
    if prior is not None:
        drawn.append(("Prior lines of treatment", prior))
    if patient.get("ki67_percent") not in (None, ""):
        drawn.append(("Ki-67 on the WHO grade bands", charts.ki67_bands_svg(float(patient["ki67_percent"]))))
    if not drawn:
        return ""
    return "<h2>Figures</h2>\n" + "\n".join(
        f'<figure class="chart">{inline_svg(svg)}<figcaption class="muted">{_e(caption)}</figcaption></figure>'
        for caption, svg in drawn)


def inline_svg(svg: str) -> str:
    """An SVG document made ready to sit inside an HTML page: without its XML prolog and DOCTYPE, its
    RDF metadata block and its ``xmlns`` declarations (the HTML parser puts ``<svg>`` and ``xlink:href``
    in their namespaces itself), so the page holds no URL at all, not even a namespace name."""
    import re

    start = svg.find("<svg")
    if start < 0:
        return ""
    body = re.sub(r"<metadata>.*?</metadata>", "", svg[start:], flags=re.DOTALL)
    return re.sub(r'\s+xmlns(?::\w+)?="[^"]*"', "", body)


def trace(result) -> str:
    return f"<h2>Appendix: decision trace</h2>\n{_trace_rows(result)}"


# ---------------------------------------------------------------------------------------------
# The fixed frame: title, notice, provenance
# ---------------------------------------------------------------------------------------------

def provenance_record(patient: Mapping[str, Any], provenance: Mapping[str, Any] | None, ruleset_version: str,
                      inputs_sha256: str) -> dict[str, str]:
    from datetime import datetime, timezone

    given = dict(provenance or {})
    return {"template": TEMPLATE_NAME, "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "git_revision": "not available", **{k: str(v) for k, v in given.items()},
            "patient_id": str(given.get("patient_id") or "unnamed patient"),
            "netlib_version": __version__, "ruleset_version": ruleset_version, "inputs_sha256": inputs_sha256}


def provenance_table(record: Mapping[str, Any]) -> str:
    rows = "".join(f'<tr><th scope="row">{_e(label)}</th><td class="mono">{_e(str(record.get(key, "")))}</td></tr>'
                   for key, label in PROVENANCE_LABELS)
    return f"<h2>Provenance</h2>\n{_TABLE}<tbody>{rows}</tbody></table>"


def fragment(body: str, record: Mapping[str, Any]) -> str:
    """The sections inside the fixed frame, as one ``div.netlib-report`` (notice first, provenance last)."""
    return f"""<div class="netlib-report">
<style>{REPORT_CSS}</style>
<div class="notice"><strong>{_e(NOT_A_MEDICAL_DEVICE)}</strong> {_e(INTENDED_USE)}</div>
{body}
{provenance_table(record)}
<p class="muted">Citation keys refer to the book's bibliography (book/references.bib).</p>
<div class="notice"><strong>{_e(NOT_A_MEDICAL_DEVICE)}</strong> Intended use: {_e(INTENDED_USE)}</div>
</div>"""


PAGE_CSS = """body { margin: 0 auto; padding: 1.5rem 2rem; max-width: 64rem; background: #fff; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
@media print { body { padding: 0; max-width: none; } }"""


def page(body: str, record: Mapping[str, Any]) -> str:
    """A complete, offline HTML page: the frame around the sections (no script, no remote asset)."""
    title = f"Tumour-board report: {record.get('patient_id', '')}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>
<style>{PAGE_CSS}</style></head>
<body>
{fragment(body, record)}
</body></html>
"""


def sections(result, patient: Mapping[str, Any], patient_id: str, scans: Sequence = (), *,
             with_figures: bool = True) -> list[str]:
    """Every section in the packaged template's order (what :func:`netlib.report.render_report_html` shows)."""
    return [summary(result, patient, patient_id), options(result), exclusions(result), missing(result),
            car_t(result), patient_data(result, patient), figures(patient, scans) if with_figures else "",
            trace(result)]
