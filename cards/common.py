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


def submit(title: str, data: dict, *, style: str | None = None) -> dict:
    action = {"type": "Action.Submit", "title": title, "data": data}
    if style:
        action["style"] = style
    return action


def facts(pairs: list[tuple[str, str]]) -> dict:
    return {"type": "FactSet", "facts": [{"title": title, "value": value} for title, value in pairs]}


def toggle_section(element_id: str, title: str, items: list[dict], *, visible: bool = False) -> list[dict]:
    """A link-like button that shows or hides a container: progressive disclosure on phones."""
    return [
        {"type": "ActionSet", "spacing": "None",
         "actions": [{"type": "Action.ToggleVisibility", "title": title, "targetElements": [element_id]}]},
        {"type": "Container", "id": element_id, "isVisible": visible, "items": items},
    ]


def first_sentences(value: str, limit: int) -> tuple[str, str]:
    """Split a text into an opening of at most `limit` characters (whole sentences) and the rest."""
    if len(value) <= limit:
        return value, ""
    sentences = re.split(r"(?<=[.!?…])\s+", value)
    opening = ""
    for sentence in sentences:
        if opening and len(opening) + len(sentence) + 1 > limit:
            break
        opening = f"{opening} {sentence}".strip()
    if len(opening) > limit:
        cut = value.rfind(" ", 0, limit)
        opening = value[: cut if cut > 0 else limit].rstrip(",;: ") + " …"
    return opening, value[len(opening.rstrip(" …")):].strip()


def error_banner(messages: list[str]) -> dict:
    return {"type": "Container", "style": "attention", "items": [
        text("**Nog niet bewaard:**", color="Attention"),
        *[text("• " + message, color="Attention", spacing="None", size="Small") for message in messages],
    ]}


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
