"""Make the built site a reader's site: no code in chapters, and only files a page loads.

* Code cells tagged ``hide-input`` (a "Show code cell source" bar in Jupyter Book) are shown to
  readers as their output only: the code is engineering, and the book's appendix explains how the
  pages are computed.  (Cells tagged ``remove-input`` already show no code.)
* After the build, files no page loads are removed from ``_build/html``: source maps, the
  ipywidgets renderer and require.js when no page embeds a widget, the theme's icon script
  (``fontawesome.js``, 1.5 MB: the theme's style sheet already draws the same icons from its web
  font), TrueType copies of web fonts that are also shipped as WOFF2, and the theme's translation
  catalogues (used at build time only).  Every page loses its ``<script>`` tag for the icon script
  and, unless the theme's search-as-you-type is on, the search index (the search page keeps it).
* The theme's solid icon font (156 KB, loaded by every page) is cut down to the icons the site's style
  sheets name (a few KB), with fontTools from the TrueType copy the theme ships.
* A worked example's printed output (``example_text``: the call, ``-> headline``, the interpretation
  and warnings) is shown to readers as a small table: inputs by their labels, result, interpretation.
  The notebook keeps the plain text, which nbval compares.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

ICON_SCRIPT = re.compile(r'<script[^>]*src="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*>\s*</script>\s*')
SOURCE_MAP_COMMENT = re.compile(r"\n?/[/*][#@] sourceMappingURL=[^\n*]*(?:\*/)?")
# The theme loads the search index on every page for its search-as-you-type box, which this book does not
# turn on (``search_as_you_type``); the search page loads them itself.
SEARCH_SCRIPTS = re.compile(r'<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|searchindex\.js)"'
                            r"\s*>\s*</script>\s*")
SPHINX_DESIGN = re.compile(r'<link [^>]*href="[^"]*_static/sphinx-design\.min\.css[^"]*"[^>]*>\s*'
                           r'|<script [^>]*src="[^"]*_static/design-tabs\.js[^"]*"[^>]*>\s*</script>\s*')
FA_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:(?:before|after),?)+)\{content:"[^"]*"\}')
WIDGET_RENDERER = re.compile(r"offline/widgets/embed-amd\.js|offline/require\.js")


def _hide_code(app, doctree) -> None:
    """Treat ``hide-input`` like ``remove-input`` on the website (the notebook keeps its tag)."""
    for node in list(doctree.findall(lambda n: isinstance(n, nodes.Element) and n.get("nb_element") == "cell_code")):
        tags = (node.get("cell_metadata") or {}).get("tags") or []
        if "hide-input" not in tags:
            continue
        for child in list(node.children):
            if isinstance(child, nodes.Element) and child.get("nb_element") == "cell_code_source":
                node.remove(child)
        mode = node.get("hide_mode")
        if mode == "input":
            del node["hide_mode"]
        elif mode == "input+output":
            node["hide_mode"] = "output"


def prune(outdir: Path, search_as_you_type: bool = False) -> dict[str, int]:
    """Remove files no page loads; return bytes removed per kind."""
    removed: dict[str, int] = {}

    def drop(path: Path, kind: str) -> None:
        if path.is_dir():
            size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
            shutil.rmtree(path)
        elif path.exists():
            size = path.stat().st_size
            path.unlink()
        else:
            return
        removed[kind] = removed.get(kind, 0) + size

    pages = list(outdir.rglob("*.html"))
    uses_widgets = uses_design = False
    for page in pages:
        text = page.read_text(encoding="utf-8")
        new = ICON_SCRIPT.sub("", text)
        # docutils marks the bibliography role="list" around role="doc-biblioentry" items, which
        # assistive technology reads as a broken list (axe: aria-required-children).
        new = new.replace('<div role="list" class="citation-list">', '<div class="citation-list">')
        if 'class="sd-' not in new:
            new = SPHINX_DESIGN.sub("", new)
        uses_design = uses_design or "sphinx-design.min.css" in new
        if not search_as_you_type and page.name != "search.html":
            new = SEARCH_SCRIPTS.sub("", new)
        uses_widgets = uses_widgets or bool(WIDGET_RENDERER.search(new))
        if new != text:
            page.write_text(new, encoding="utf-8")
    static = outdir / "_static"
    for path in list(static.rglob("*.map")):
        drop(path, "source maps")
    for path in list(static.rglob("*.js")) + list(static.rglob("*.css")):
        if path.is_file() and "live/pyodide" not in path.as_posix():
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
            if "sourceMappingURL" in text:
                path.write_text(SOURCE_MAP_COMMENT.sub("", text), encoding="utf-8", errors="surrogateescape")
    if not uses_widgets:
        drop(static / "offline" / "widgets", "ipywidgets renderer")
        drop(static / "offline" / "require.js", "ipywidgets renderer")
    drop(static / "scripts" / "fontawesome.js", "icon script")
    if not uses_design:
        drop(static / "sphinx-design.min.css", "unused style sheets")
        drop(static / "design-tabs.js", "unused style sheets")
    _prune_icon_rules(outdir, pages, removed)
    _subset_icon_font(static, removed)
    for ttf in list(static.rglob("*.ttf")):
        if ttf.with_suffix(".woff2").exists():
            drop(ttf, "TrueType fonts")
    drop(static / "locales", "translation catalogues")
    return removed


def _prune_icon_rules(outdir: Path, pages: list[Path], removed: dict[str, int]) -> None:
    """Keep only the icon classes some page or script uses in the theme's style sheet (1,900 → a few)."""
    sheet = outdir / "_static" / "styles" / "pydata-sphinx-theme.css"
    if not sheet.exists():
        return
    used: set[str] = set()
    for path in pages + list((outdir / "_static").rglob("*.js")):
        used |= set(re.findall(r"fa-[a-z0-9-]+", path.read_text(encoding="utf-8", errors="ignore")))
    text = sheet.read_text(encoding="utf-8")

    def keep(match):
        names = re.findall(r"\.(fa-[a-z0-9-]+):", match.group(1))
        return match.group(0) if used.intersection(names) else ""

    new = FA_RULE.sub(keep, text)
    if new != text:
        removed["unused icon rules"] = removed.get("unused icon rules", 0) + len(text) - len(new)
        sheet.write_text(new, encoding="utf-8")


ICON_FONT = "vendor/fontawesome/webfonts/fa-solid-900"
ICON_FONT_FACE = re.compile(r'url\(\.\./' + re.escape(ICON_FONT) + r'\.woff2\) format\("woff2"\)'
                            r'(?:,url\(\.\./' + re.escape(ICON_FONT) + r'\.ttf\) format\("truetype"\))?')
# Font Awesome draws its icons from the Unicode private-use area, written as characters or as CSS escapes.
PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")
CSS_ESCAPE = re.compile(r"\\([ef][0-9a-fA-F]{3})(?![0-9a-fA-F])")


def _subset_icon_font(static: Path, removed: dict[str, int]) -> None:
    """Replace the solid icon font (WOFF2) by a WOFF holding only the icons some style sheet names."""
    ttf, woff2 = static / (ICON_FONT + ".ttf"), static / (ICON_FONT + ".woff2")
    sheet = static / "styles" / "pydata-sphinx-theme.css"
    if not (ttf.exists() and woff2.exists() and sheet.exists()):
        return
    try:
        from fontTools import subset
    except ImportError:  # fontTools comes with matplotlib; without it the full font stays
        return
    codepoints: set[int] = set()
    for css in static.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="ignore")
        codepoints |= {ord(c) for c in PRIVATE_USE.findall(text)}
        codepoints |= {int(h, 16) for h in CSS_ESCAPE.findall(text)}
    options = subset.Options()
    options.flavor = "woff"            # WOFF2 would need the brotli module
    options.layout_features = []
    options.name_IDs = ["*"]           # keep the licence and names
    font = subset.load_font(str(ttf), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    target = static / (ICON_FONT + "-used.woff")
    subset.save_font(font, str(target), options)
    text = sheet.read_text(encoding="utf-8")
    new = ICON_FONT_FACE.sub(f'url(../{ICON_FONT}-used.woff) format("woff")', text)
    if new == text:
        target.unlink()
        return
    sheet.write_text(new, encoding="utf-8")
    removed["icon font (subset)"] = (removed.get("icon font (subset)", 0) + woff2.stat().st_size + ttf.stat().st_size
                                     - target.stat().st_size)
    woff2.unlink()
    ttf.unlink()


# --- Worked examples as tables ----------------------------------------------------------------

_EXAMPLE_CALL = re.compile(r"^(\w+)\(")


def _unwrap(lines: list[str]) -> str:
    """Join lines textwrap split; a line ending in a hyphen was split after it."""
    text = ""
    for line in (line.strip() for line in lines):
        if not text:
            text = line
        elif re.search(r"\w-$", text):
            text += line
        else:
            text += " " + line
    return text


def parse_examples(text: str) -> list[dict] | None:
    """The worked examples printed by ``netlib.widgets.example_text``, or None if the text is not that."""
    import ast

    examples = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        if lines[0].startswith("refused: ") and examples:
            # An impossible entry the calculator refuses (printed by the notebook after its examples).
            reason = _unwrap([lines[0][len("refused: "):]] + lines[1:])
            examples.append({"calculator": examples[-1]["calculator"], "values": {}, "headline": "refused",
                             "interpretation": reason[:1].upper() + reason[1:], "warnings": []})
            continue
        arrow = next((i for i, line in enumerate(lines) if line.startswith("-> ")), None)
        if arrow is None or not _EXAMPLE_CALL.match(lines[0]):
            return None
        call = _unwrap(lines[:arrow])
        try:
            expression = ast.parse(call, mode="eval").body
            values = {k.arg: ast.literal_eval(k.value) for k in expression.keywords}
        except (SyntaxError, ValueError, AttributeError):
            return None
        interpretation, warnings = [], []
        for line in lines[arrow + 1:]:
            if line.startswith("   warning: "):
                warnings.append([line[len("   warning: "):]])
            elif warnings and line.startswith("            "):
                warnings[-1].append(line)
            else:
                interpretation.append(line)
        examples.append({"calculator": expression.func.id, "values": values, "headline": lines[arrow][3:].strip(),
                         "interpretation": _unwrap(interpretation), "warnings": [_unwrap(w) for w in warnings]})
    return examples or None


def _shown(field, value) -> str:
    if value is None:
        return "not given"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field is not None and field.kind == "choice" and isinstance(value, str):
        return field.label_for(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    unit = f" {field.unit}" if field is not None and field.unit else ""
    return f"{value}{unit}"


def examples_table(examples: list[dict]) -> str:
    """A small HTML table: one row per example with its inputs (by label), result and interpretation."""
    import html

    import netlib.calculators

    rows = []
    for example in examples:
        calculator = netlib.calculators.get(example["calculator"])
        fields = {f.name: f for f in calculator.fields}
        inputs = "".join(f"<li>{html.escape(fields[name].label if name in fields else name)}: "
                         f"{html.escape(_shown(fields.get(name), value))}</li>"
                         for name, value in example["values"].items()) or "<li>values giving an impossible result</li>"
        notes = "".join(f'<p class="netlib-example-warning">{html.escape(w)}</p>' for w in example["warnings"])
        rows.append(f"<tr><td><ul>{inputs}</ul></td><td><strong>{html.escape(example['headline'])}</strong></td>"
                    f"<td><p>{html.escape(example['interpretation'])}</p>{notes}</td></tr>")
    titles = dict.fromkeys(netlib.calculators.get(example["calculator"]).title for example in examples)
    title = html.escape("; ".join(titles))
    return (f'<table class="netlib-examples table"><caption>Worked examples: {title}</caption>'
            "<thead><tr><th scope=\"col\">Inputs</th><th scope=\"col\">Result</th>"
            "<th scope=\"col\">Interpretation</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _examples_as_tables(app, doctree) -> None:
    """Replace a checked worked-example cell's printed text by a table (site only; the notebook keeps the text)."""
    for cell in list(doctree.findall(lambda n: isinstance(n, nodes.Element) and n.get("nb_element") == "cell_code")):
        tags = (cell.get("cell_metadata") or {}).get("tags") or []
        if "nbval-check-output" not in tags:
            continue
        for block in list(cell.findall(nodes.literal_block)):
            if "stream" not in block.get("classes", []):
                continue
            examples = parse_examples(block.astext())
            if examples is None:
                continue
            try:
                table = examples_table(examples)
            except KeyError:  # not a registered calculator: leave the text
                continue
            block.replace_self(nodes.raw("", table, format="html", classes=["netlib-examples-output"]))


def _prune(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    options = getattr(app.config, "html_theme_options", None) or {}
    removed = prune(Path(app.outdir), bool(options.get("search_as_you_type")))
    if removed:
        summary = ", ".join(f"{kind} {size / 1e6:.1f} MB" for kind, size in sorted(removed.items()))
        logger.info(f"reader_site: removed files no page loads ({summary})")


def _last_changed(path: Path) -> str:
    """The date of the last commit that changed a file (git), or "not committed"."""
    try:
        date = subprocess.run(["git", "log", "-1", "--format=%cs", "--", str(path)], cwd=path.parent,
                              capture_output=True, text=True, timeout=20, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        date = ""
    return date or "not committed"


class Governance(SphinxDirective):
    """Versions of netlib and its rule set, and when each chapter last changed (from git)."""

    def run(self):
        import netlib
        from netlib.pathway import RULESET_VERSION

        srcdir = Path(self.env.srcdir)
        toc = (srcdir / "_toc.yml").read_text(encoding="utf-8")
        chapters = re.findall(r"^\s*(?:-\s*file|root):\s*(notebooks/[\w.-]+)\s*$", toc, re.MULTILINE)
        lines = [f"This edition: netlib {netlib.__version__}, decision rule set {RULESET_VERSION}. "
                 "A chapter's date is when its text or calculations last changed; it is not a clinical review date.",
                 "", "| Chapter | Last changed |", "| --- | --- |"]
        for chapter in chapters:
            path = srcdir / (chapter + ".ipynb")
            self.env.note_dependency(str(path))
            lines.append(f"| {{doc}}`/{chapter}` | {_last_changed(path)} |")
        container = nodes.container(classes=["netlib-governance"])
        self.state.nested_parse(StringList(lines, source=self.env.docname), self.content_offset, container)
        return [container]


def setup(app):
    app.add_directive("netlib-governance", Governance)
    app.connect("doctree-read", _hide_code)
    app.connect("doctree-read", _examples_as_tables)
    app.connect("build-finished", _prune, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
