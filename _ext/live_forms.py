"""Put the live forms on the pages that have them, and drop the widget renderer where it is idle.

A ``CalculatorForm`` or ``PatientForm`` cell outputs a widget view (for Jupyter) and a text/html
placeholder ``<div class="netlib-live" ...>`` (netlib/widgets.py).  The site shows the
placeholder (``nb_mime_priority_overrides`` in _config.yml), so:

* a page with a placeholder gets ``live/netlib-live.js`` (deferred) and its style sheet, which
  turn the placeholder into a form computed by netlib under Pyodide;
* a page that no longer shows any widget view does not need the ipywidgets renderer: myst-nb
  would still add require.js, embed-amd.js (3.5 MB) and the saved widget state because the
  notebook's metadata holds widget state.  They are removed from such pages.

Runs after myst-nb's own ``html-page-context`` handler (which adds the widget scripts).
"""

from __future__ import annotations

import re

LIVE_PLACEHOLDER = 'class="netlib-live"'
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PLACEHOLDER = re.compile(r'<div class="netlib-live"(?=\s+data-(?:calculator="(?P<calculator>\w+)"|(?P<pathway>pathway)=))')


def _anchor_forms(body: str) -> str:
    """Give each calculator's first live form an anchor, ``#live-<id>`` (``#live-patient`` for the
    decision algorithm): the calculators hub links straight to the form."""
    seen: set[str] = set()

    def anchor(match):
        key = "patient" if match.group("pathway") else match.group("calculator").replace("_", "-")
        if key in seen:
            return match.group(0)
        seen.add(key)
        return f'<div id="live-{key}" class="netlib-live"'

    return PLACEHOLDER.sub(anchor, body)


def _page_assets(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body") or ""
    if LIVE_PLACEHOLDER in body:
        body = context["body"] = _anchor_forms(body)
        app.add_js_file("live/netlib-live.js", loading_method="defer")
        app.add_css_file("live/netlib-live.css")
    scripts = context.get("script_files")
    if WIDGET_VIEW in body or not scripts:
        return
    # myst-nb's keys are relative to the static folder; by now Sphinx has prefixed them with _static/.
    widget_scripts = {name for path in (getattr(app.config, "nb_ipywidgets_js", None) or {})
                      for name in (path, f"_static/{path}")}
    scripts[:] = [s for s in scripts
                  if str(getattr(s, "filename", None) or "") not in widget_scripts
                  and getattr(s, "attributes", {}).get("type") != WIDGET_STATE]


def setup(app):
    app.connect("html-page-context", _page_assets, priority=800)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
