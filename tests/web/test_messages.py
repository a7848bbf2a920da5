"""Every interface string exists in English and Chinese, from one catalogue (server/web/translations).

- no text in a template outside gettext (text nodes and the attributes people read: title, placeholder,
  aria-label, alt, content);
- every message of the interface (templates, Python, the query examples' titles and questions, the OpenAPI texts,
  the error titles) has a Chinese translation, none fuzzy, and the committed .mo is compiled from the .po;
- pages in Chinese carry no English interface text, and the language is chosen ?lang= > cookie > Accept-Language.
"""
from __future__ import annotations

import importlib.util
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "server" / "web" / "templates"
# Names that are the same in both languages: formats, standards, the project's acronym, the language toggle itself.
SAME_IN_BOTH = {"SPARQL", "UGKG", "CC", "BY", "VoID", "SHA", "English", "中文", "JSON", "LD", "GRAPH", "Urban", "Governance",
                "Knowledge", "Graph"}
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "content"}
JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)


def load_tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("ugkg_messages", ROOT / "tools" / "messages.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


class Texts(HTMLParser):
    """Text a person reads in a template once its Jinja expressions are gone (code and scripts aside)."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code", "pre", "cite"):
            self.skip += 1
        if not (tag == "meta" and ("name", "viewport") in attrs):
            self.found += [v for k, v in attrs if k in READ_ATTRIBUTES and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code", "pre", "cite"):
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.found.append(data)


def untranslated_template_text(text: str) -> list[str]:
    """Words of ``text`` (a template) that a reader sees but no gettext call produces."""
    parser = Texts()
    parser.feed(JINJA.sub(" ", text))
    out = []
    for chunk in parser.found:
        words = [w.strip("-'’") for w in re.findall(r"[A-Za-z][A-Za-z'’-]+|[\u4e00-\u9fff]+", chunk)]
        words = [w for w in words if w not in SAME_IN_BOTH]
        if words:
            out.append(" ".join(words))
    return out


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_no_template_text_outside_the_catalogue(template: str) -> None:
    assert untranslated_template_text((TEMPLATES / template).read_text(encoding="utf-8")) == []


def test_the_template_check_can_fail() -> None:
    assert untranslated_template_text('<p title="Hello">{{ _("Fine") }} Oops <code>ok</code> 搜索</p>') == ["Hello", "Oops", "搜索"]


def test_every_interface_message_is_translated_and_compiled() -> None:
    tool = load_tool()
    pot = tool.template()
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in pot if m.id}
    # the sources of messages are all there: a query title, a query parameter's description, the OpenAPI wording
    # (api/openapi.py: tags, the "Query file:" and "Known:" lines), an error title, an error's explanation
    # (site/problems.py), an ontology relation (documentation.py), a standard term, template strings (the API page)
    assert {"Signatory cities of the Beijing Declaration", "the year of the figure (census year)",
            "Questions the graph was built to answer", "Query file: %(file)s (its text: %(url)s).", "Known: %(values)s.",
            "Malformed query", "The query uses a prefix it does not declare: add a PREFIX line for it at the top of the query.",
            "subclass of", "derived from", "Referenced by", "Call the API"} <= ids
    assert tool.problems("zh", pot) == []
