"""Building blocks shared by every card: the envelope, safe text, and a few recurring elements.

Teams renders a subset of Markdown in TextBlocks and evaluates `{{...}}` expressions. Anything a
user typed, and any content text, goes through `safe_text` so it is shown literally and can never
add formatting, links, mentions or template functions to a card.
"""

from __future__ import annotations

import re

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
ZERO_WIDTH = "\u200b"

# Markdown is defused with invisible zero-width spaces rather than backslashes, which Teams
# clients do not all honour: `**x**` no longer pairs up, `](` no longer makes a link.
_EMPHASIS = re.compile(r"([*_~`])")
_LINE_START = re.compile(r"^(\s*)(#|>|[-+]\s|\d+\.\s)", re.MULTILINE)


def safe_text(text: str) -> str:
    """Text shown literally in a TextBlock: no Markdown, no card expressions, no mentions."""
    text = _EMPHASIS.sub("\\1" + ZERO_WIDTH, str(text))
    text = _LINE_START.sub(lambda m: m.group(1) + ZERO_WIDTH + m.group(2), text)
    text = text.replace("](", "]" + ZERO_WIDTH + "(")
    text = text.replace("{{", "{" + ZERO_WIDTH + "{").replace("}}", "}" + ZERO_WIDTH + "}")
    text = text.replace("<", "<" + ZERO_WIDTH)
    # A single newline is invisible in a Teams TextBlock: paragraphs need a blank line.
    return re.sub(r"\n+", "\n\n", text.strip())


def plural(count: int, one: str, many: str) -> str:
    """ "1 centrum", "7 centra": the number with the right form of the noun."""
    return f"{count} {one if count == 1 else many}"


def card(body: list, actions: list | None = None, *, full_width: bool = False) -> dict:
    envelope = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": "1.5", "body": body}
    if actions:
        envelope["actions"] = actions
    if full_width:
        envelope["msteams"] = {"width": "Full"}
    return envelope


def text(value: str, **style) -> dict:
    return {"type": "TextBlock", "text": value, "wrap": True, **style}


def heading(value: str, *, size: str = "Large", **style) -> dict:
    return text(value, size=size, weight="Bolder", **style)


def subtle(value: str, **style) -> dict:
    return text(value, isSubtle=True, size="Small", spacing="None", **style)


def submit(title: str, data: dict, *, style: str | None = None, inputs: bool = True) -> dict:
    """A button. `inputs=False` for one that leaves the card's answers aside (Pauzeer, Terug): Teams
    then neither sends the inputs nor refuses to press it while a required one is still empty."""
    action = {"type": "Action.Submit", "title": title, "data": data}
    if style:
        action["style"] = style
    if not inputs:
        action["associatedInputs"] = "none"
    return action


def facts(pairs: list[tuple[str, str]]) -> dict:
    return {"type": "FactSet", "facts": [{"title": title, "value": value} for title, value in pairs]}


def toggle_section(
    element_id: str,
    title: str,
    items: list[dict],
    *,
    visible: bool = False,
    open_title: str | None = None,
    spacing: str = "None",
) -> list[dict]:
    """A small link-like line that shows or hides a container: progressive disclosure on phones.

    With `open_title` the line swaps its words while the container is open ("Lees meer" /
    "Lees minder"): two lines, each toggling the container and both lines; the opened container
    follows what stands above it at `spacing` (none: the text reads on).
    """
    if open_title is None:
        return [
            _toggle_link(f"{element_id}-toggle", title, [element_id]),
            {"type": "Container", "id": element_id, "isVisible": visible, "items": items},
        ]
    more, less = f"{element_id}-more", f"{element_id}-less"
    targets = [element_id, more, less]
    return [
        _toggle_link(more, title, targets, visible=not visible),
        {"type": "Container", "id": element_id, "isVisible": visible, "spacing": spacing, "items": items},
        _toggle_link(less, open_title, targets, visible=visible),
    ]


def _toggle_link(element_id: str, title: str, targets: list[str], *, visible: bool = True) -> dict:
    # A tappable line of accent text instead of a full-width button: the card stays short.
    link = {
        "type": "Container",
        "id": element_id,
        "spacing": "Small",
        "selectAction": {"type": "Action.ToggleVisibility", "title": title, "targetElements": targets},
        "items": [text(safe_text(title), size="Small", color="Accent", weight="Bolder")],
    }
    if not visible:
        link["isVisible"] = False
    return link


# A sentence ends at . ! ? … before a capital, except after "GO!" and the manual's abbreviations.
_SENTENCE_END = re.compile(
    r"(?<=[.!?…])(?<!\bGO!)(?<!\b(?i:bv)\.)(?<!\b(?i:vb)\.)(?<!\b(?i:o\.a)\.)(?<!\b(?i:bijv)\.)"
    r"(?<!\b(?i:incl)\.)(?<!\b(?i:max)\.)(?<!\b(?i:nl)\.)(?<!\b(?i:ca)\.)(?<!\b(?i:art)\.)"
    r"\s+(?=[A-Z0-9“‘(À-Ý])"
)


def _paragraphs(value: str) -> list[list[str]]:
    return [
        [part.strip() for part in _SENTENCE_END.split(paragraph.strip()) if part.strip()]
        for paragraph in re.split(r"\n\s*\n", value.strip())
        if paragraph.strip()
    ]


def sentences(value: str) -> list[str]:
    """A text's sentences (a paragraph break also ends one); abbreviations like "bv." do not."""
    return [sentence for paragraph in _paragraphs(value) for sentence in paragraph]


def first_sentences(value: str, limit: int) -> tuple[str, str]:
    """Split a text into an opening of whole sentences and the rest (its paragraphs kept), never
    inside a sentence.

    The opening is the first sentence, plus following ones of the same paragraph while it stays
    within `limit` characters: the defining sentence is always shown whole, however long it is.
    """
    paragraphs = _paragraphs(value)
    if not paragraphs:
        return "", ""
    first = paragraphs[0]
    count = 1
    while count < len(first) and len(" ".join(first[: count + 1])) <= limit:
        count += 1
    rest = [first[count:], *paragraphs[1:]]
    return " ".join(first[:count]), "\n\n".join(" ".join(paragraph) for paragraph in rest if paragraph)


def shorten(value: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary (never inside a word)."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    cut = value.rfind(" ", 0, limit)
    return value[: cut if cut > 0 else limit].rstrip(",;:. ") + " …"


def chart(kind: str, title: str, data: list, fallback: dict, **properties) -> dict:
    """A Teams chart with the fallback clients that draw no charts (Teams iOS) show instead."""
    return {"type": kind, "title": title, "data": data, "fallback": fallback, **properties}


def table(header: list[str], rows: list[list[str]], widths: list[int] | None = None) -> dict:
    widths = widths or [1] * len(header)
    return {
        "type": "Table",
        "firstRowAsHeaders": True,
        "gridStyle": "accent",
        "columns": [{"width": w} for w in widths],
        "rows": [
            {"type": "TableRow", "cells": [{"type": "TableCell", "items": [text(cell, size="Small")]} for cell in row]}
            for row in [header, *rows]
        ],
    }


def count(number: int, one: str, many: str) -> str:
    """'1 centrum', '7 centra': a number with the right form of its noun."""
    return f"{number} {one if number == 1 else many}"
