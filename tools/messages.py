"""The interface's message catalogue: extract, merge, compile, check (``make messages``; tests/web/test_messages.py).

One gettext catalogue for the site (server/web/translations/<lang>/LC_MESSAGES/messages.po, with its compiled
.mo committed beside it so a fresh clone serves both languages). Its messages come from
- the templates (server/web/templates, Jinja ``_()``/``ngettext``) and the Python of server/web (``gettext``/``_``),
  the OpenAPI document's wording included (server/web/api/openapi.py writes it through the catalogue);
- the headers of queries/*.rq (``# title:``, ``# question:``, the descriptions of ``# param:`` lines): the query
  page's examples, the API's summaries and parameter descriptions;
- the titles of the error classes of server/errors.py (error pages).

    python tools/messages.py           # re-extract, merge into every .po (new messages empty), compile the .mo
    python tools/messages.py --check   # exit 1 when a message is missing, untranslated, fuzzy, or the .mo is stale
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "server" / "web"
TRANSLATIONS = WEB / "translations"
LANGS = ("zh",)
METHODS = [("templates/**.html", "jinja2"), ("site/**.py", "python"), ("views/**.py", "python"), ("api/**.py", "python"), ("*.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}


def query_messages() -> list[tuple[str, str]]:
    """(text, where) for every title, question and parameter description of queries/*.rq (a parameter's
    description as ``openapi.param_description`` looks it up: without its final full stop)."""
    sys.path.insert(0, str(ROOT))
    from server.build.sources import header_fields

    out = []
    for path in sorted((ROOT / "queries").glob("*.rq")):
        for key, value in header_fields(path.read_text(encoding="utf-8")):
            if key in ("title", "question") and value:
                out.append((value, f"queries/{path.name}:{key}"))
            elif key == "param" and " -- " in value and value.partition(" -- ")[2].strip():
                out.append((value.partition(" -- ")[2].strip().rstrip("."), f"queries/{path.name}:param"))
    return out


def error_titles() -> list[tuple[str, str]]:
    sys.path.insert(0, str(ROOT))
    import server.errors as errors

    found = {cls.title for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.ApiError)}
    return [(title, "server/errors.py") for title in sorted(found)] + [(t, "werkzeug") for t in ("Not Found", "Method Not Allowed", "Bad Request")]


def template() -> Catalog:
    """The .pot: every message of the interface."""
    pot = Catalog(project="ugkg", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(str(WEB), METHODS, OPTIONS, keywords={"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "N_": None}):
        pot.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    extra = query_messages() + error_titles()
    for text, where in extra:
        if text not in pot:
            pot.add(text, None, [(where, 0)])
    return pot


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def problems(lang: str, pot: Catalog) -> list[str]:
    """Every reason the catalogue of ``lang`` is not complete and compiled."""
    out = []
    po = read_po(po_path(lang).open("rb"), locale=lang)
    for message in pot:
        if not message.id:
            continue
        found = po.get(message.id)
        if found is None:
            out.append(f"missing in {lang}: {message.id!r} ({message.locations[:1]})")
        elif not (all(found.string) if isinstance(found.string, tuple) else found.string) or found.fuzzy:
            out.append(f"untranslated in {lang}: {message.id!r}")
    mo = po_path(lang).with_suffix(".mo")
    if not mo.exists():
        out.append(f"{mo} is missing: run python tools/messages.py")
    else:
        compiled = read_mo(mo.open("rb"))
        for message in po:
            if message.id and not message.fuzzy and compiled.get(message.id) is None:
                out.append(f"{mo.name} is stale ({message.id!r} not compiled): run python tools/messages.py")
                break
            if message.id and compiled.get(message.id) is not None and _norm(compiled.get(message.id).string) != _norm(message.string):
                out.append(f"{mo.name} is stale ({message.id!r} differs): run python tools/messages.py")
                break
    return out


def _norm(value: object) -> object:
    return tuple(value) if isinstance(value, (list, tuple)) else value


def update() -> None:
    pot = template()
    for lang in LANGS:
        path = po_path(lang)
        old = read_po(path.open("rb"), locale=lang) if path.exists() else Catalog(locale=lang)
        new = Catalog(locale=lang, project="ugkg", charset="utf-8")
        for message in pot:
            if not message.id:
                continue
            before = old.get(message.id)
            new.add(message.id, before.string if before is not None else ("", "") if isinstance(message.id, tuple) else "",
                    locations=message.locations, auto_comments=message.auto_comments)
        buffer = io.BytesIO()
        write_po(buffer, new, width=120, omit_header=False, sort_output=False, no_location=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(buffer.getvalue())
        with path.with_suffix(".mo").open("wb") as mo:
            write_mo(mo, read_po(path.open("rb"), locale=lang))
        print(f"{path.relative_to(ROOT)}: {len(new)} messages, {sum(1 for m in new if m.id and not m.string)} untranslated")


if __name__ == "__main__":
    if "--check" in sys.argv:
        found = [p for lang in LANGS for p in problems(lang, template())]
        print("\n".join(found) or "catalogue complete")
        sys.exit(1 if found else 0)
    update()
