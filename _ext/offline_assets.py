"""Keep every page of the book self-contained: no request may leave the site's origin.

Jupyter Book 1 and its extensions add remote assets (sphinx-thebe's loader URL,
CDN scripts, web-font links).  The book vendors what it needs from npm into
``_assets/offline/`` (see scripts/build_book.py); this extension removes whatever
still points at another host, and drops the inline sphinx-thebe configuration
script that is injected twice (the second copy throws
"Identifier 'THEBE_JS_URL' has already been declared" in the console).

Remote CSS/JS must be removed from the application registry at ``builder-inited``
*and* from each page's context: Sphinx re-adds the registry's files in
``prepare_writing``, after the builder has started.
"""

from __future__ import annotations


def _is_remote(asset) -> bool:
    name = asset[0] if isinstance(asset, tuple) else getattr(asset, "filename", asset)
    return "://" in str(name or "") or str(name or "").startswith("//")


def _strip_registry(app) -> None:
    registry = app.registry
    registry.css_files[:] = [f for f in registry.css_files if not _is_remote(f)]
    registry.js_files[:] = [f for f in registry.js_files if not _is_remote(f)]


def _strip_page(app, pagename, templatename, context, doctree) -> None:
    for key in ("css_files", "script_files"):
        assets = context.get(key)
        if not assets:
            continue
        kept, seen_bodies = [], set()
        for asset in assets:
            if _is_remote(asset):
                continue
            inline = None if getattr(asset, "filename", None) else getattr(asset, "attributes", {}).get("body")
            if inline is not None:
                if inline in seen_bodies:
                    continue  # the duplicated sphinx-thebe configuration
                seen_bodies.add(inline)
            kept.append(asset)
        assets[:] = kept


def setup(app):
    app.connect("builder-inited", _strip_registry, priority=900)
    app.connect("html-page-context", _strip_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
