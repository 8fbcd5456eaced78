"""Readable flowcharts: the decision algorithm's charts inline, zoomable, and also as text.

* A Graphviz SVG that a notebook displays (myst-nb writes it as ``<img src="...svg">``, a picture
  whose boxes cannot be hovered and whose alt text is a file name) is put into the page as inline
  SVG: every box's ``<title>`` carries its rationale (a real tooltip), every box names its rules
  (``data-rules``, so the live form can light up the current patient's path) and links to its
  entry in the text version below the chart, where each rule is listed with its sources linked to
  the bibliography.  Zoom buttons (netlib-chart.js) let the reader enlarge the chart in place.
* The ``netlib-flowcharts`` directive draws one chart per decision table, from netlib's tables,
  each with the same text version: the algorithm scenario by scenario, as NCCN and ESMO draw it.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

logger = logging.getLogger(__name__)
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)


def _rule_pattern() -> re.Pattern:
    """Any rule id of netlib's decision tables, as a whole word (LOC-PAN-01, not PAN-01 inside it)."""
    from netlib.pathway import RULES

    ids = sorted({r.id for r in RULES}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-])")
IMG_SVG = re.compile(r'<img alt="[^"]*" src="(?P<src>[^"]*_images/(?P<name>[^"/]+\.svg))"\s*/?>')
_chart_count = 0


def _bib_keys(app) -> set[str]:
    bib = Path(app.srcdir) / "book" / "references.bib"
    return set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", bib.read_text(encoding="utf-8"))) if bib.exists() else set()


def _source_label(key: str) -> str:
    match = re.match(r"([a-z]+?)(\d{4})", key)
    if match:
        return f"{match.group(1).capitalize()} {match.group(2)}"
    return key.upper() if re.fullmatch(r"nct\d+", key) else key.replace("_", " ").capitalize()


def _rules_text(app, docname: str, rule_ids: list[str], uid: str) -> str:
    """The chart as text: each rule with its option or item, tier, rationale and linked sources."""
    from netlib import therapies
    from netlib.pathway import RULES, TABLES

    wanted = set(rule_ids)
    keys = _bib_keys(app)
    try:
        references = relative_uri(app.builder.get_target_uri(docname), app.builder.get_target_uri("book/references"))
    except Exception:  # noqa: BLE001 - a book without a bibliography page
        references = None
    out = [f'<details class="netlib-chart-text" id="{uid}-text"><summary>The chart as text '
           f"({len(wanted)} rules)</summary>"]
    for table, title in TABLES.items():
        rules = [r for r in RULES if r.table == table and r.id in wanted]
        if not rules:
            continue
        out.append(f"<p><strong>{html.escape(title)}</strong></p><ul>")
        for rule in rules:
            if rule.kind in ("option", "exclude") and rule.option:
                what = therapies.name(rule.option)
            else:
                what = rule.item or rule.kind
            verb = {"exclude": "not recommended", "missing": "asks for", "advice": "advice"}.get(rule.kind, rule.tier)
            sources = []
            for key in rule.citations or ():
                label = html.escape(_source_label(key))
                if references and key in keys:
                    anchor = "cite-" + re.sub(r"[^a-z0-9]+", "-", key.lower())
                    sources.append(f'<a href="{references}#{anchor}">{label}</a>')
                else:
                    sources.append(label)
            out.append(f'<li id="{uid}-rule-{rule.id}"><strong>{rule.id}</strong> {html.escape(str(what))} '
                       f"({html.escape(str(verb))}): {html.escape(rule.rationale or '')}"
                       + (f" Sources: {'; '.join(sources)}." if sources else "") + "</li>")
        out.append("</ul>")
    out.append("</details>")
    return "".join(out)


def accessible_svg(svg_text: str, uid: str, summary: str) -> tuple[str, list[str]]:
    """Graphviz SVG -> inline SVG with real tooltips, rule ids on boxes and a text alternative."""
    svg_text = svg_text[svg_text.index("<svg"):]
    root = ET.fromstring(svg_text)
    rule_id = _rule_pattern()
    rule_ids: list[str] = []
    for group in root.iter(f"{{{SVG_NS}}}g"):
        if group.get("class") != "node":
            continue
        texts = " ".join("".join(t.itertext()) for t in group.iter(f"{{{SVG_NS}}}text"))
        ids = list(dict.fromkeys(rule_id.findall(texts)))
        title = group.find(f"{{{SVG_NS}}}title")
        link = next(iter(group.iter(f"{{{SVG_NS}}}a")), None)
        tooltip = link.get(f"{{{XLINK_NS}}}title") if link is not None else None
        if title is not None:
            title.text = tooltip or " ".join(texts.split())
        if ids:
            group.set("data-rules", " ".join(ids))
            rule_ids += ids
            if link is not None:
                link.set("href", f"#{uid}-rule-{ids[0]}")
                link.set(f"{{{XLINK_NS}}}href", f"#{uid}-rule-{ids[0]}")
                link.set("aria-label", " ".join(texts.split()))
    for old in root.findall(f"{{{SVG_NS}}}title"):
        root.remove(old)
    label = ET.Element(f"{{{SVG_NS}}}title", {"id": f"{uid}-title"})
    label.text = summary
    root.insert(0, label)
    root.set("role", "group")
    root.set("aria-labelledby", f"{uid}-title")
    root.set("class", "netlib-chart-svg")
    markup = ET.tostring(root, encoding="unicode")
    return markup, list(dict.fromkeys(rule_ids))


def chart_html(app, docname: str, svg_text: str, summary: str) -> str:
    global _chart_count
    _chart_count += 1
    uid = f"chart-{_chart_count}"
    svg, rule_ids = accessible_svg(svg_text, uid, summary)
    return (f'<figure class="netlib-chart" id="{uid}">'
            f'<div class="netlib-chart-tools" hidden>'
            f'<button type="button" data-zoom="out">Zoom out</button> '
            f'<button type="button" data-zoom="in">Zoom in</button> '
            f'<button type="button" data-zoom="fit">Fit to width</button> '
            f'<button type="button" data-zoom="full">Actual size</button></div>'
            f'<div class="netlib-chart-viewport" tabindex="0" role="region" aria-label="{html.escape(summary)} '
            f'(scroll to pan)">{svg}</div>'
            f"<figcaption>{html.escape(summary)} Hover or focus a box for its rationale; select it for its rules "
            f'and sources in the text version below. <a href="#{uid}-text">Read the chart as text</a>.</figcaption>'
            f"{_rules_text(app, docname, rule_ids, uid)}</figure>")


def _summary(rule_ids: list[str] | None = None, tables: list[str] | None = None) -> str:
    from netlib.pathway import RULES, TABLES

    chosen = [t for t in (tables or TABLES) if t in TABLES]
    names = "; ".join(TABLES[t] for t in chosen)
    count = len([r for r in RULES if r.table in chosen])
    return (f"Flowchart of the decision algorithm ({count} rules in {len(chosen)} decision "
            f"table{'s' if len(chosen) != 1 else ''}: {names}). Each box is an option or an item the rules "
            "ask for, outlined by tier, with its rule numbers.")


def _inline_svgs(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body") or ""
    if ".svg" in body and doctree is not None:
        _replace_images(app, pagename, context, body)
    if "netlib-chart" in (context.get("body") or ""):
        app.add_js_file("live/netlib-chart.js", loading_method="defer")
        app.add_css_file("live/netlib-chart.css")


def _replace_images(app, pagename, context, body) -> None:
    # By now Sphinx has pointed the image nodes at _images/; the environment knows their sources.
    sources = {}
    for source, (_, unique) in getattr(app.env, "images", {}).items():
        if str(source).endswith(".svg"):
            path = Path(source) if Path(source).is_absolute() else Path(app.srcdir) / source
            sources[unique] = path

    def replace(match):
        path = sources.get(match.group("name"))
        if path is None or not path.exists():
            return match.group(0)
        text = path.read_text(encoding="utf-8")
        if "graphviz" not in text.lower() and "class=\"node\"" not in text:
            return match.group(0)
        return chart_html(app, pagename, text, _summary())

    new = IMG_SVG.sub(replace, body)
    if new != body:
        context["body"] = new


class Flowcharts(SphinxDirective):
    """One section per decision table, each with its chart and its text version."""

    has_content = False
    option_spec = {}

    def run(self):
        from netlib import flowchart, pathway

        sections = []
        original = (flowchart.RULES, flowchart.TABLES)
        try:
            for table, title in pathway.TABLES.items():
                rules = [r for r in pathway.RULES if r.table == table]
                if not rules:
                    continue
                flowchart.RULES = rules
                flowchart.TABLES = {table: title}
                svg = flowchart.render_svg(flowchart.to_dot())
                section = nodes.section(ids=[f"chart-{table.replace('_', '-')}"])
                section += nodes.title(text=title)
                section += nodes.raw("", chart_html(self.env.app, self.env.docname, svg, _summary(tables=[table])),
                                     format="html")
                sections.append(section)
        finally:
            flowchart.RULES, flowchart.TABLES = original
        return sections


def setup(app):
    app.add_directive("netlib-flowcharts", Flowcharts)
    app.connect("html-page-context", _inline_svgs, priority=700)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
