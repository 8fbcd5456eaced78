"""Bibliography entries and citation tooltips written for clinicians.

The BibTeX notes record how each entry's details were checked ("Title and DOI verified (PubMed record);
volume and issue not verified against the publisher").  That is the maintainers' audit trail and stays in
book/bib/; on the site an entry keeps the rest of its note (corrigenda, trial names, online dates) and,
where some detail is unconfirmed, says so once in a clinician's words: "Source details not yet confirmed."

Two pybtex styles are registered (``bibtex_default_style`` and ``bibtex_tooltips_style`` in _config.yml):

* ``netlib_reader``: BibTeX's plain style with the note rewritten as above;
* ``netlib_tooltip``: what a citation shows on hover: first author (et al.), title, journal and year,
  without the note, DOI or URL.  The full reference is one click away in the bibliography; the long
  tooltips made up almost half of a chapter page's bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from pybtex.database import Entry
from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.template import FieldIsMissing, join, node, sentence

UNCONFIRMED_MARK = "Source details not yet confirmed."
# A clause of a note that tells how a detail was checked (the maintainers' audit trail).
AUDIT_CLAUSE = re.compile(r"\b(?:verified|unverified|checked|corroborated|re-check|secondary listings?|"
                          r"reference list|Crossref|not read|was read)\b", re.IGNORECASE)
# ... and one that says a detail is still unconfirmed.
UNCONFIRMED_CLAUSE = re.compile(r"\bnot (?:been )?(?:verified|checked)\b|\bunverified\b|\bre-check\b|"
                                r"\bsecondary listings?\b|\bnot read\b", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=\.)\s+(?=[A-Z])")
WEB_FIELDS = ("note", "url", "urldate", "doi", "pmid", "pubmed", "eprint", "issn", "isbn")


def reader_note(note: str) -> str:
    """The note without its audit trail, plus the plain mark where something is unconfirmed."""
    kept_sentences, unconfirmed = [], False
    for sentence_text in SENTENCE_END.split(note.strip()):
        clauses = [c.strip() for c in sentence_text.rstrip(".").split(";") if c.strip()]
        kept = []
        for clause in clauses:
            if AUDIT_CLAUSE.search(clause):
                unconfirmed = unconfirmed or bool(UNCONFIRMED_CLAUSE.search(clause))
            else:
                kept.append(clause)
        if kept:
            text = "; ".join(kept)
            kept_sentences.append(text[0].upper() + text[1:] + ".")
    if unconfirmed:
        kept_sentences.append(UNCONFIRMED_MARK)
    result = " ".join(kept_sentences)
    if result.count("{") != result.count("}"):
        return note  # a clause boundary fell inside TeX braces: leave the note as written
    return result


def _copy(entry: Entry, drop=(), note=None, authors=None) -> Entry:
    fields = {k: v for k, v in entry.fields.items() if k.lower() not in drop}
    if note:
        fields["note"] = note
    persons = {role: list(people) for role, people in entry.persons.items()}
    if authors is not None:
        persons.update(authors)
    copy = Entry(entry.type, fields=fields, persons=persons)
    copy.key = entry.key
    return copy


# Vancouver convention for long author lists: the first three, then "et al." when there are more than six.
AUTHORS_LISTED_IN_FULL_UP_TO = 6
AUTHORS_SHOWN_BEFORE_ET_AL = 3


def _formatted_names(context, role) -> list:
    """The entry's persons in ``role`` (author, editor), each formatted by the style."""
    try:
        persons = context["entry"].persons[role]
    except KeyError:
        raise FieldIsMissing(role, context["entry"]) from None
    style = context["style"]
    return [style.format_name(person, style.abbreviate_names) for person in persons]


@node
def _vancouver_names(children, context, role, **kwargs):
    names = _formatted_names(context, role)
    if len(names) > AUTHORS_LISTED_IN_FULL_UP_TO:
        return join(sep=", ")[names[:AUTHORS_SHOWN_BEFORE_ET_AL] + ["et al."]].format_data(context)
    return join(**kwargs)[names].format_data(context)


class ReaderStyle(PlainStyle):
    def format_names(self, role, as_sentence=True):
        names = _vancouver_names(role, sep=", ", sep2=" and ", last_sep=", and ")
        return sentence[names] if as_sentence else names

    def format_entry(self, label, entry, bib_data=None):
        note = entry.fields.get("note")
        if note:
            entry = _copy(entry, drop=("note",), note=reader_note(note))
        return super().format_entry(label, entry, bib_data=bib_data)


@node
def _first_author_et_al(children, context, role):
    names = _formatted_names(context, role)
    if len(names) > 2:
        return join[names[0], " et al."].format_data(context)
    return join(sep=" and ")[names].format_data(context)

class TooltipStyle(PlainStyle):
    def format_names(self, role, as_sentence=True):
        return sentence[_first_author_et_al(role)] if as_sentence else _first_author_et_al(role)

    def format_web_refs(self, e):
        return sentence[""]

    def format_entry(self, label, entry, bib_data=None):
        return super().format_entry(label, _copy(entry, drop=WEB_FIELDS), bib_data=bib_data)


def _note_rewrites(app) -> dict[str, str]:
    """Each note as pybtex prints it in plain text, and what readers see instead."""
    from pybtex.database import parse_file
    from pybtex.richtext import Text

    rewrites = {}
    for bibfile in app.config.bibtex_bibfiles:
        for entry in parse_file(str(Path(app.srcdir) / bibfile)).entries.values():
            note = entry.fields.get("note")
            if not note:
                continue
            printed = " ".join(Text.from_latex(note).render_as("text").split()).rstrip(".")
            reader = " ".join(Text.from_latex(reader_note(note)).render_as("text").split()).rstrip(".")
            if printed and printed != reader:
                replacement = reader + "." if reader else ""
                rewrites[printed + "."] = replacement
                # Sphinx's smart quotes have turned apostrophes into ’ by the time the doctree is read.
                rewrites[printed.replace("'", "’") + "."] = replacement.replace("'", "’")
    return rewrites


def _rewrite_notes_in_text(app, doctree) -> None:
    """Reference lists a notebook prints itself (netlib.widgets.chapter_references) get the reader's notes too."""
    rewrites = getattr(app, "_netlib_note_rewrites", None)
    if rewrites is None:
        rewrites = app._netlib_note_rewrites = _note_rewrites(app)
    for text in list(doctree.findall(nodes.Text)):
        value = str(text)
        if "." not in value or len(value) < 20:
            continue
        new = value
        for printed, reader in rewrites.items():
            if printed in new:
                new = new.replace(printed, reader)
        if new != value:
            text.parent.replace(text, nodes.Text(re.sub(r"  +", " ", new)))


def _mark_reference_sections(app, doctree) -> None:
    """A section titled "References" gets the class ``netlib-references`` (printed in a compact type)."""
    for section in doctree.findall(nodes.section):
        if section.children and isinstance(section[0], nodes.title) and section[0].astext() == "References":
            section["classes"].append("netlib-references")


def setup(app):
    app.connect("doctree-read", _rewrite_notes_in_text)
    app.connect("doctree-read", _mark_reference_sections)
    register_plugin("pybtex.style.formatting", "netlib_reader", ReaderStyle)
    register_plugin("pybtex.style.formatting", "netlib_tooltip", TooltipStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
