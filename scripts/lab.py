"""JupyterLab on a git-ignored working folder, with the chapters as read-only copies that read as prose.

``make lab`` runs this.  It

* creates ``scratch/`` (git-ignored) and copies the starter notebook ``notebooks/starter/explore.ipynb``
  there once (a notebook already in scratch/ is never overwritten);
* writes ``scratch/chapters/``: a copy of every chapter in which the MyST roles that need the book's
  build are replaced by what the book shows -- glued numbers and text (from the outputs stored in the
  chapter), citations (author and year from book/references.bib), cross-references and the glued
  figure -- so the chapter reads in Lab as on the site (jupyterlab-myst renders the admonitions and the
  rest of MyST).  The copies are read-only files: Run All and the widgets work, autosave cannot write,
  and the tracked notebooks are never opened, so exploring never changes the repository;
* starts JupyterLab in scratch/ (``--allow-root`` when run as root).  Extra arguments are passed on,
  e.g. ``make lab LAB_ARGS="--port=8899 --no-browser"``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import stat
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "scratch"
CHAPTERS = SCRATCH / "chapters"
STARTER = ROOT / "notebooks" / "starter" / "explore.ipynb"
RECORD = "application/papermill.record/"

_GLUE_ROLE = re.compile(r"\{glue(?::(?P<kind>text|md|any))?\}`(?P<name>[\w-]+)(?::(?P<spec>[^`]*))?`")
_GLUE_FIGURE = re.compile(r"```\{glue:figure\}\s*(?P<name>[\w-]+)\n(?P<body>.*?)```", re.DOTALL)
_CITE_ROLE = re.compile(r"\{cite(?::(?P<kind>[a-z]+))?\}`(?P<keys>[^`]+)`")
_REF_ROLE = re.compile(r"\{(?:ref|doc|numref)\}`(?P<text>[^`<]*?)(?:\s*<(?P<target>[^>]+)>)?`")
_LABEL = re.compile(r"^\([\w-]+\)=\s*$\n?", re.MULTILINE)


def chapters() -> list[Path]:
    """The chapter notebooks listed in _toc.yml."""
    listed = re.findall(r"^\s*(?:-\s*file|root):\s*(notebooks/[\w.-]+)\s*$",
                        (ROOT / "_toc.yml").read_text(encoding="utf-8"), re.MULTILINE)
    return [ROOT / (name if name.endswith(".ipynb") else name + ".ipynb") for name in listed]


def glued(notebook: dict) -> dict[str, dict]:
    """Every glued value in the notebook's stored outputs: name -> {mime type: data}."""
    values: dict[str, dict] = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", ()):
            scrap = output.get("metadata", {}).get("scrapbook")
            if scrap:
                prefix = scrap.get("mime_prefix", RECORD)
                values[scrap["name"]] = {mime[len(prefix):]: data for mime, data in output.get("data", {}).items()
                                         if mime.startswith(prefix)}
    return values


def _text(data) -> str:
    return "".join(data) if isinstance(data, list) else str(data)


def _glue_text(value: dict, spec: str | None) -> str:
    """What {glue:text}`name:spec` shows: the stored number formatted with the spec."""
    plain = _text(value.get("text/plain", "")).strip()
    if spec:
        try:
            number = float(plain)
        except ValueError:
            return plain
        if number.is_integer() and spec.endswith("d"):
            return format(int(number), spec)
        return format(number, spec)
    return plain.strip("'\"")


def citation_labels() -> dict[str, tuple[str, str]]:
    """key -> (authors, year) from book/references.bib: "Rindi et al." and "2018"."""
    try:
        from pybtex.database import parse_file
    except ImportError:
        return {}
    labels = {}
    for key, entry in parse_file(str(ROOT / "book" / "references.bib")).entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        if people:
            last = " ".join(people[0].last_names).strip("{}") or key
            names = last if len(people) == 1 else (f"{last} and {' '.join(people[1].last_names).strip('{}')}"
                                                   if len(people) == 2 else f"{last} et al.")
        else:
            names = entry.fields.get("organization", entry.fields.get("institution", key)).strip("{}")
        labels[key] = (names, entry.fields.get("year", "n.d."))
    return labels


def render_markdown(source: str, values: dict[str, dict], labels: dict[str, tuple[str, str]],
                    attachments: dict) -> str:
    """A Markdown cell as the book shows it, for JupyterLab (which has no myst-nb build)."""

    def glue(match: re.Match) -> str:
        value = values.get(match.group("name"))
        if value is None:
            return f"`{match.group('name')}`"
        if match.group("kind") == "md" and "text/markdown" in value:
            return _text(value["text/markdown"]).strip()
        return _glue_text(value, match.group("spec"))

    def figure(match: re.Match) -> str:
        name, body = match.group("name"), match.group("body")
        value = values.get(name, {})
        options = dict(re.findall(r"^:([\w-]+):\s*(.*)$", body, re.MULTILINE))
        caption = re.sub(r"^:[\w-]+:.*$\n?", "", body, flags=re.MULTILINE).strip()
        if "image/png" not in value:
            return caption
        attachments[f"{name}.png"] = {"image/png": _text(value["image/png"]).replace("\n", "")}
        return f"![{options.get('alt', name)}](attachment:{name}.png)\n\n*{caption}*\n"

    def cite(match: re.Match) -> str:
        keys = [k.strip() for k in match.group("keys").split(",")]
        if match.group("kind") == "t":
            return "; ".join(f"{labels.get(k, (k, ''))[0]} ({labels.get(k, (k, ''))[1]})" for k in keys)
        return "(" + "; ".join(" ".join(labels.get(k, (k, ""))).strip() for k in keys) + ")"

    def reference(match: re.Match) -> str:
        return (match.group("text") or match.group("target") or "").strip()

    text = _GLUE_FIGURE.sub(figure, source)
    text = _GLUE_ROLE.sub(glue, text)
    text = _CITE_ROLE.sub(cite, text)
    text = _REF_ROLE.sub(reference, text)
    return _LABEL.sub("", text)


def render_chapter(path: Path, labels: dict[str, tuple[str, str]]) -> dict:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    values = glued(notebook)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            attachments: dict = {}
            cell["source"] = render_markdown(_text(cell["source"]), values, labels, attachments)
            if attachments:
                cell["attachments"] = attachments
    notebook["metadata"]["netlib"] = {"copy_of": f"notebooks/{path.name}",
                                      "note": "A read-only copy written by make lab; edit the original."}
    return notebook


def _write_read_only(path: Path, text: str) -> None:
    if path.exists():
        path.chmod(stat.S_IWUSR | stat.S_IRUSR)
    path.write_text(text, encoding="utf-8")
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def prepare() -> None:
    SCRATCH.mkdir(exist_ok=True)
    CHAPTERS.mkdir(exist_ok=True)
    starter = SCRATCH / STARTER.name
    if not starter.exists():
        shutil.copyfile(STARTER, starter)
    labels = citation_labels()
    for path in chapters():
        notebook = render_chapter(path, labels)
        _write_read_only(CHAPTERS / path.name, json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")


def main(argv: list[str]) -> int:
    prepare()
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={SCRATCH}",
               # No "news" pop-up and no update check: nothing is fetched from another host.
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # the README runs set-up as root (e.g. in a container)
    command += argv
    print("JupyterLab in scratch/ (git-ignored); the chapters are read-only copies in scratch/chapters/.",
          flush=True)
    os.chdir(SCRATCH)
    os.execv(command[0], command)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
