"""Formulas rendered when the book is built: no page loads a maths script.

Sphinx's MathJax renderer leaves TeX in the page and loads MathJax (1.2 MB of script) to typeset it in
the reader's browser.  This renderer (``html_math_renderer = "katex"`` in _config.yml) typesets every
formula once, at build time, with KaTeX under Node (``_ext/katex_render.cjs``; KaTeX is pinned in
package.json): the page gets HTML for the eye and MathML for assistive technology (the HTML copy is
``aria-hidden``).  A page with formulas loads KaTeX's style sheet and, from it, the few WOFF2 fonts
its formulas use; the style sheet and the WOFF2 fonts are copied from node_modules into
``_static/katex/`` (not the WOFF or TrueType copies: every browser that runs the live forms reads WOFF2).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.util.math import get_node_equation_number

RENDERER = Path(__file__).with_name("katex_render.cjs")
KATEX_DIST = Path(__file__).resolve().parent.parent / "node_modules" / "katex" / "dist"
STATIC_FOLDER = "katex"
# KaTeX's @font-face rules list WOFF2, WOFF and TrueType; only the WOFF2 files are shipped.
FALLBACK_FONTS = re.compile(r',url\(fonts/[\w-]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)')

_rendered: dict[tuple[str, bool], str] = {}


def _block_tex(node: nodes.math_block) -> str:
    """A display formula's TeX; several paragraphs become aligned lines, as Sphinx's MathJax renderer does."""
    parts = [part for part in node.astext().split("\n\n") if part.strip()]
    if len(parts) > 1 or any(r"\\" in part for part in parts):
        return r"\begin{aligned}" + r"\\".join(parts) + r"\end{aligned}"
    return parts[0] if parts else ""


def _formulas(doctree) -> list[tuple[str, bool]]:
    found = [(node.astext(), False) for node in doctree.findall(nodes.math)]
    found += [(_block_tex(node), True) for node in doctree.findall(nodes.math_block) if not node.get("nowrap")]
    return found


def render(formulas: list[tuple[str, bool]]) -> None:
    """Typeset the formulas not yet rendered, in one Node run."""
    missing = sorted({f for f in formulas if f not in _rendered})
    if not missing:
        return
    node = shutil.which("node")
    if node is None:
        raise ExtensionError("formulas: Node.js is needed to typeset the book's formulas (KaTeX); install nodejs")
    if not (KATEX_DIST / "katex.min.css").exists():
        raise ExtensionError("formulas: node_modules/katex is missing; run npm ci")
    run = subprocess.run([node, str(RENDERER)], input=json.dumps(missing), capture_output=True, text=True,
                         timeout=120, check=False)
    if run.returncode != 0:
        raise ExtensionError(f"formulas: KaTeX could not typeset a formula: {run.stderr.strip()}")
    for formula, html in zip(missing, json.loads(run.stdout), strict=True):
        _rendered[formula] = html


def _render_page(app, doctree, docname) -> None:
    if app.builder.format == "html":
        render(_formulas(doctree))


def visit_math(self, node: nodes.math) -> None:
    html = _rendered[(node.astext(), False)]
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate") + html + "</span>")
    raise nodes.SkipNode


def visit_math_block(self, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate"))
    if node["nowrap"]:
        self.body.append(self.encode(node.astext()) + "</div>\n")
        raise nodes.SkipNode
    if node["number"]:
        self.body.append(f'<span class="eqno">({get_node_equation_number(self, node)})')
        self.add_permalink_ref(node, "Link to this equation")
        self.body.append("</span>")
    self.body.append(_rendered[(_block_tex(node), True)] + "</div>\n")
    raise nodes.SkipNode


def _style_sheet(app, pagename, templatename, context, doctree) -> None:
    """Only a page with formulas names KaTeX's style sheet (the math domain would also count the pages a
    page's table of contents includes, which gives the start page the style sheet)."""
    if app.builder.format == "html" and doctree is not None and \
            next(doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block))), None) is not None:
        app.builder.add_css_file(f"{STATIC_FOLDER}/katex.min.css")


def _copy_assets(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / STATIC_FOLDER
    shutil.rmtree(target, ignore_errors=True)
    if not app.env.get_domain("math").has_equations():
        return
    (target / "fonts").mkdir(parents=True)
    sheet = (KATEX_DIST / "katex.min.css").read_text(encoding="utf-8")
    (target / "katex.min.css").write_text(FALLBACK_FONTS.sub("", sheet), encoding="utf-8")
    for font in sorted((KATEX_DIST / "fonts").glob("*.woff2")):
        shutil.copy2(font, target / "fonts" / font.name)
    shutil.copy2(KATEX_DIST.parent / "LICENSE", target / "LICENSE")


def setup(app):
    app.add_html_math_renderer("katex", (visit_math, None), (visit_math_block, None))
    app.connect("doctree-resolved", _render_page)
    app.connect("html-page-context", _style_sheet)
    app.connect("build-finished", _copy_assets, priority=800)
    return {"parallel_read_safe": True, "parallel_write_safe": False}
