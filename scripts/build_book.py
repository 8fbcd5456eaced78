"""Build the offline book: vendor the front-end assets, then `jupyter-book build . -W`.

    python scripts/build_book.py                  # incremental build (notebook execution is cached)
    python scripts/build_book.py --clean          # remove _build and .jupyter_cache first
    python scripts/build_book.py --all            # rewrite every page (cache still used)

The execution cache is cleared automatically (and every page rebuilt) when netlib/*.py or
book/references.bib changed since the last build: jupyter-cache alone only notices changes
to a notebook's own cells.
    python scripts/build_book.py --store-outputs  # execute the book's notebooks in place (outputs and
                                                  # widget state saved) for nbval, then build

Steps:
1. `npm ci` if node_modules is missing (package.json + package-lock.json pin the versions).
2. Copy require.js and the ipywidgets HTML manager (embed-amd.js and its icon fonts) from
   node_modules into _assets/offline/ (formulas are typeset at build time with KaTeX: _ext/formulas.py).  The folder must not be called `_static`:
   Jupyter Book 1 would then inject every .js/.css in it into every page.
3. Check that book/references.bib exists (written by scripts/merge_bib.py) and warn if it is
   older than the fragments in book/bib/.
4. `jupyter-book build . -W --keep-going`: any warning fails, and a cell error fails
   (`nb_execution_raise_on_error` in _config.yml).
5. Check the built HTML: no script, style, image or frame may come from another host.

The live calculators (_assets/live/netlib-live.js) run netlib itself in the reader's browser
under Pyodide.  Step 2 also copies the Pyodide core from the pinned npm package into
_assets/live/pyodide/ and packs netlib as a pure-Python wheel (standard library zipfile, no
network, no build backend) into _assets/live/, named in _assets/live/netlib-live.json.

Exit status is non-zero when any step fails.  Uses the Python that runs it (the venv's).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
OFFLINE = ROOT / "_assets" / "offline"
LIVE = ROOT / "_assets" / "live"
BUILD = ROOT / "_build"
HTML = BUILD / "html"
CACHE = ROOT / ".jupyter_cache"
NOTEBOOKS = ROOT / "notebooks"

# (source under node_modules, destination under _assets/offline, glob or None for one file)
ASSETS = (
    ("requirejs/require.js", "require.js", None),
    ("@jupyter-widgets/html-manager/dist", "widgets", ("embed-amd.js", "*.woff2", "*.woff", "*.ttf",
                                                       "*.eot", "*.svg")),
)

# The Pyodide core the live calculators need (no packages: netlib is pure Python, standard library only).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
# A fixed timestamp for every wheel member, so an unchanged netlib gives a byte-identical wheel
# (and does not look like a changed asset to the next build).
WHEEL_DATE = (1980, 1, 1, 0, 0, 0)

# An asset loaded from another host: <script src=...>, <link href=...>, <img src=...>, CSS url(...).
REMOTE_ASSET = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio|embed)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//"
    r"|url\(\s*[\"']?(?:https?:)?//",
    re.IGNORECASE,
)


def log(message: str) -> None:
    print(f"build_book: {message}", flush=True)


def ensure_node_modules() -> None:
    if all((NODE_MODULES / name).is_dir() for name in ("@jupyter-widgets/html-manager", "katex", "pyodide")):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("build_book: node_modules is missing and npm is not on the PATH")
    log("node_modules missing: running npm ci")
    subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                   cwd=ROOT, check=True)


def _copy_if_changed(source: Path, target: Path) -> bool:
    if target.exists():
        a, b = source.stat(), target.stat()
        if a.st_size == b.st_size and int(a.st_mtime) == int(b.st_mtime):
            return False
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    return True


def vendor_assets() -> int:
    # MathJax is no longer used (formulas are typeset at build time); drop the copies an older build left.
    shutil.rmtree(OFFLINE / "mathjax", ignore_errors=True)
    shutil.rmtree(HTML / "_static" / "offline" / "mathjax", ignore_errors=True)
    copied = 0
    for source_name, target_name, patterns in ASSETS:
        source = NODE_MODULES / source_name
        target = OFFLINE / target_name
        if not source.exists():
            raise SystemExit(f"build_book: {source.relative_to(ROOT)} not found; run npm ci")
        if patterns is None:
            copied += _copy_if_changed(source, target)
            continue
        for pattern in patterns:
            for path in sorted(source.glob(pattern)):
                if path.is_file():
                    copied += _copy_if_changed(path, target / path.relative_to(source))
    return copied


def vendor_pyodide() -> int:
    """Copy the Pyodide core from the pinned npm package into _assets/live/pyodide/."""
    source = NODE_MODULES / "pyodide"
    copied = 0
    for name in PYODIDE_FILES:
        if not (source / name).exists():
            raise SystemExit(f"build_book: node_modules/pyodide/{name} not found; run npm ci")
        copied += _copy_if_changed(source / name, LIVE / "pyodide" / name)
    return copied


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_netlib_wheel() -> tuple[Path, bool]:
    """Pack netlib as a pure-Python wheel in _assets/live/ and name it in netlib-live.json.

    A wheel is a zip archive with the package and a ``.dist-info`` folder (METADATA, WHEEL,
    RECORD); the standard library writes one in milliseconds, offline, with no build backend.
    Returns the wheel's path and whether it changed.
    """
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    name, version = project["name"], project["version"]
    package = ROOT / name
    dist_info = f"{name}-{version}.dist-info"
    members: list[tuple[str, bytes]] = [
        (path.relative_to(ROOT).as_posix(), path.read_bytes())
        for path in sorted(package.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo")
    ]
    members.append((f"{dist_info}/METADATA", (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {project.get('description', '')}\n"
        f"Requires-Python: {project.get('requires-python', '>=3.11')}\n").encode()))
    members.append((f"{dist_info}/WHEEL", (
        "Wheel-Version: 1.0\nGenerator: scripts/build_book.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n").encode()))
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in members)
    members.append((f"{dist_info}/RECORD", (record + f"{dist_info}/RECORD,,\n").encode()))

    wheel = LIVE / f"{name}-{version}-py3-none-any.whl"
    scratch = wheel.with_suffix(".tmp")
    with zipfile.ZipFile(scratch, "w") as archive:
        for path, data in members:
            info = zipfile.ZipInfo(path, date_time=WHEEL_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    new = scratch.read_bytes()
    changed = not wheel.exists() or wheel.read_bytes() != new
    if changed:
        scratch.replace(wheel)
    else:
        scratch.unlink()
    for stale in LIVE.glob(f"{name}-*.whl"):
        if stale != wheel:
            stale.unlink()

    pyodide_version = json.loads((NODE_MODULES / "pyodide" / "package.json").read_text(encoding="utf-8"))["version"]
    download = len(new) + sum((LIVE / "pyodide" / name).stat().st_size for name in PYODIDE_FILES)
    manifest = {"wheel": wheel.name, "sha256": hashlib.sha256(new).hexdigest(), "netlib": version,
                "pyodide": pyodide_version, "download_bytes": download}
    text = json.dumps(manifest, indent=2) + "\n"
    target = LIVE / "netlib-live.json"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return wheel, changed


def check_bibliography() -> None:
    merged = ROOT / "book" / "references.bib"
    if not merged.exists():
        raise SystemExit("build_book: book/references.bib is missing; run python scripts/merge_bib.py")
    fragments = list((ROOT / "book" / "bib").glob("*.bib"))
    stale = [f.name for f in fragments if f.stat().st_mtime > merged.stat().st_mtime]
    if stale:
        log("WARNING: book/bib/" + ", book/bib/".join(sorted(stale)) + " changed after book/references.bib;"
            " run python scripts/merge_bib.py")


def book_notebooks() -> list[Path]:
    """The notebooks listed in _toc.yml (templates such as the patient report are not chapters)."""
    listed = re.findall(r"^\s*(?:-\s*file|root):\s*(notebooks/[\w.-]+)\s*$",
                        (ROOT / "_toc.yml").read_text(encoding="utf-8"), re.MULTILINE)
    return [ROOT / (name if name.endswith(".ipynb") else name + ".ipynb") for name in listed]


def store_notebook_outputs() -> None:
    """Execute the book's notebooks in place so that outputs and widget state are saved (nbval reference)."""
    import nbformat
    from nbclient import NotebookClient

    for path in book_notebooks():
        started = time.perf_counter()
        notebook = nbformat.read(path, as_version=4)
        NotebookClient(notebook, timeout=120, kernel_name="python3", store_widget_state=True,
                       resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
        nbformat.write(notebook, path)
        log(f"stored outputs of {path.relative_to(ROOT)} ({time.perf_counter() - started:.1f} s)")


def inputs_fingerprint() -> str:
    """A hash of what the notebooks read besides their own cells: netlib and the bibliography.

    jupyter-cache keys a notebook on its code cells only, so a change in netlib would otherwise
    leave stale outputs in the book.
    """
    digest = hashlib.sha256()
    for path in sorted((ROOT / "netlib").rglob("*.py")) + [ROOT / "book" / "references.bib"]:
        if path.exists():
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def invalidate_stale_cache() -> bool:
    """Clear the execution cache when netlib or the bibliography changed; True if cleared."""
    stamp = CACHE / "netlib-fingerprint.txt"
    current = inputs_fingerprint()
    if stamp.exists() and stamp.read_text().strip() == current:
        return False
    cleared = CACHE.exists()
    shutil.rmtree(CACHE, ignore_errors=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current + "\n")
    return cleared


def assets_changed() -> bool:
    """True when a static asset or the local extension changed since the last build.

    Sphinx copies static files only when some page is rebuilt, so a change to book.css alone
    would never reach the site; such a change triggers --all (the execution cache is kept).
    """
    digest = hashlib.sha256()
    for path in sorted(p for folder in ("_assets", "_ext") for p in (ROOT / folder).rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    stamp = BUILD / ".assets-fingerprint"
    current = digest.hexdigest()
    if stamp.exists() and stamp.read_text().strip() == current:
        return False
    BUILD.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current + "\n")
    return True


def jupyter_book_command(rebuild_all: bool) -> list[str]:
    executable = Path(sys.executable).parent / "jupyter-book"
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "jupyter_book.cli.main"]
    command += ["build", str(ROOT), "-W", "--keep-going"]
    if rebuild_all:
        command.append("--all")
    return command


def environment() -> dict[str, str]:
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiets a debugger warning in every kernel
    return env


def check_no_remote_assets() -> list[str]:
    problems = []
    for page in sorted(HTML.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        for match in REMOTE_ASSET.finditer(text):
            snippet = text[match.start():match.start() + 120].replace("\n", " ")
            problems.append(f"{page.relative_to(HTML)}: {snippet}")
    return problems


def content_pages() -> list[Path]:
    """The HTML pages made from the book's sources (not search, index or static files)."""
    skip = {"search.html", "genindex.html", "py-modindex.html", "index.html"}  # index.html: a redirect
    return [p for p in sorted(HTML.rglob("*.html"))
            if p.name not in skip and not any(part[0] in "_." for part in p.relative_to(HTML).parts)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the offline book (warnings are errors).")
    parser.add_argument("--clean", action="store_true", help="remove _build and .jupyter_cache first")
    parser.add_argument("--all", action="store_true", help="rewrite every page")
    parser.add_argument("--store-outputs", action="store_true",
                        help="execute notebooks/*.ipynb in place (the nbval reference outputs) before building")
    parser.add_argument("--no-build", action="store_true", help="only vendor the assets (and store outputs)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if args.clean:
        shutil.rmtree(BUILD, ignore_errors=True)
        shutil.rmtree(CACHE, ignore_errors=True)
    ensure_node_modules()
    copied = vendor_assets()
    log(f"assets in _assets/offline ({copied} file(s) updated)")
    copied = vendor_pyodide()
    wheel, changed = build_netlib_wheel()
    log(f"live calculators: Pyodide in _assets/live/pyodide ({copied} file(s) updated), "
        f"{wheel.relative_to(ROOT)} ({wheel.stat().st_size // 1024} KB{', rebuilt' if changed else ', unchanged'})")
    check_bibliography()
    if args.store_outputs:
        os.environ.update({k: v for k, v in environment().items() if k == "PYTHONPATH"})
        store_notebook_outputs()
    if args.no_build:
        return 0

    rebuild_all = args.all
    cache_cleared = invalidate_stale_cache()
    assets_new = assets_changed()
    if cache_cleared:
        log("netlib or the bibliography changed: execution cache cleared, every page rebuilt")
        rebuild_all = True
    elif assets_new and not rebuild_all:
        log("a static asset or _ext changed: every page rewritten (execution cache kept)")
        rebuild_all = True
    command = jupyter_book_command(rebuild_all)
    log("running " + " ".join(Path(command[0]).name if i == 0 else c for i, c in enumerate(command))
        .replace(str(ROOT), "."))
    result = subprocess.run(command, cwd=ROOT, env=environment())
    if result.returncode != 0:
        log(f"FAILED: jupyter-book exited with {result.returncode}")
        return result.returncode

    remote = check_no_remote_assets()
    if remote:
        log("FAILED: pages load assets from another host:\n  " + "\n  ".join(remote))
        return 1
    pages = content_pages()
    log(f"built {len(pages)} pages in _build/html ({time.perf_counter() - started:.1f} s); "
        "no remote assets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
