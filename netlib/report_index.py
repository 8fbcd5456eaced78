"""The index page of a batch: one row per patient, with links to its files or why it failed."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from . import INTENDED_USE, NOT_A_MEDICAL_DEVICE, __version__

if TYPE_CHECKING:
    from .report_files import Patient

_e = html.escape  # quote=True: safe in text and in attribute values

INDEX_NAME = "index.html"
# The index's <title>: a re-run recognises its own index by it (and never overwrites another file).
INDEX_TITLE = "Tumour-board reports"


def render_index_html(patients: Sequence["Patient"], files: Mapping[int, Mapping[str, str]], generated_at: str,
                      revision: str | None, *, present: Iterable[int] = ()) -> str:
    """The batch's index page: one row per patient, failures with their reason (all text escaped).

    ``present``: the patients whose reports were already in the folder and were kept (not failures).
    """
    from .pathway import RULESET_VERSION

    present = set(present)
    rows = []
    for number, patient in enumerate(patients):
        links = " ".join(f'<a href="{_e(name)}">{_e(kind.upper())}</a>'
                         for kind, name in files.get(number, {}).items())
        if patient.error:
            status = "failed"
            field_name = f"<code>{_e(patient.error_field)}</code>: " if patient.error_field else ""
            detail = f'<span class="error">{field_name}{_e(patient.error)}</span>'
        else:
            status = "already present" if number in present else "report written"
            detail = _e(patient.top)
        rows.append(f'<tr class="{"failed" if patient.error else "ok"}"><td>{number + 1}</td>'
                    f"<td>{_e(patient.patient_id)}</td><td>{_e(patient.source)}</td><td>{status}</td>"
                    f"<td>{_e(patient.pathway)}</td><td>{detail}</td><td>{links}</td></tr>")
    failed = sum(1 for p in patients if p.error)
    kept = sum(1 for number in present if number < len(patients) and not patients[number].error)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(INDEX_TITLE)}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 2rem;
  color: #1d1d1d; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border: 1px solid #ccc; padding: .3rem .5rem;
  text-align: left; vertical-align: top; }} th {{ background: #f0f0f0; }}
tr.failed td {{ background: #fff3f3; }} .error {{ color: #8a1c1c; }}
.notice {{ border: 2px solid #a33; background: #fff3f3; padding: .5rem .7rem; margin: .6rem 0; }}
.muted {{ color: #555; font-size: .9em; }}
</style></head>
<body>
<h1>{_e(INDEX_TITLE)}</h1>
<div class="notice"><strong>{_e(NOT_A_MEDICAL_DEVICE)}</strong> {_e(INTENDED_USE)}</div>
<p>{len(patients)} patients: {len(patients) - failed - kept} reports written, {kept} already present, {failed} failed.</p>
<table><thead><tr><th>#</th><th>Patient</th><th>Input</th><th>Status</th><th>Pathway</th>
<th>Top recommendation, or why it failed</th><th>Files</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
<p class="muted">netlib {_e(__version__)} · rule set {_e(RULESET_VERSION)} · git revision
{_e(revision or "not available")} · generated {_e(generated_at)} (UTC)</p>
</body></html>
"""
