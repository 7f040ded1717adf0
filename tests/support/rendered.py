"""What a reader sees of a text after Teams' Markdown renderer: for tests that nothing disappears.

Teams renders message texts and TextBlocks as a subset of Markdown with some HTML: `<naam>` is taken
for a tag and vanishes, `*x*`, `**x**` and `_x_` become emphasis (their markers vanish), `[x](url)`
becomes a link. This mirrors those rules closely enough to catch text that would be swallowed.
"""

from __future__ import annotations

import re
from collections import Counter

from tests.support.teams import iter_elements

ZERO_WIDTH = "\u200b"
_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
# Emphasis opens before a non-space and closes after one (CommonMark's flanking rule, simplified);
# underscores only at word boundaries.
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EMPHASIS = re.compile(r"\*(?=[^\s*])(.+?)(?<=[^\s*])\*")
_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_(?=\S)(.+?)(?<=\S)_(?![A-Za-z0-9])")
_WORDS = re.compile(r"[^\W_]+")


def visible(markdown: str) -> str:
    text = _TAG.sub("", markdown)
    text = _LINK.sub(r"\1", text)
    for pattern in (_STRONG, _EMPHASIS, _UNDERSCORE):
        text = pattern.sub(r"\1", text)
    return text.replace(ZERO_WIDTH, "")


def lost_in_rendering(markdown: str) -> list[str]:
    """What a reader would miss or stumble over: swallowed words, markers left standing."""
    problems = []
    source = markdown.replace(ZERO_WIDTH, "")
    shown = visible(markdown)
    if _WORDS.findall(source) != _WORDS.findall(shown):
        missing = Counter(_WORDS.findall(source)) - Counter(_WORDS.findall(shown))
        problems.append(f"words disappear: {sorted(missing.elements())}")
    for marker in ("*", "_"):
        if marker in shown:
            problems.append(f"a stray {marker!r} stays visible: {shown!r}")
    return problems


def shown_texts(card: dict) -> list[str]:
    """Every text of a card that goes through the Markdown renderer."""
    texts = []
    for element in iter_elements(card):
        kind = element.get("type")
        if kind in ("TextBlock", "TextRun"):
            texts.append(element["text"])
        elif kind == "FactSet":
            texts += [part for fact in element["facts"] for part in (fact["title"], fact["value"])]
    return texts
