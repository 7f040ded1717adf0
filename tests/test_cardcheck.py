"""The card validator catches real mistakes, so a green run means something."""

from __future__ import annotations

import copy
import json
import subprocess
import time

import pytest

from tests.support import cardcheck
from tests.support.cardcheck import MAX_BYTES, SCRIPT, CardValidator, assert_valid_card, card_size

card_validator = cardcheck.card_validator  # the session fixture, registered for this module

TABLE = {
    "type": "Table",
    "firstRowAsHeaders": True,
    "gridStyle": "accent",
    "columns": [{"width": 2}, {"width": 1}],
    "rows": [
        {
            "type": "TableRow",
            "cells": [
                {"type": "TableCell", "items": [{"type": "TextBlock", "text": "Stadium"}]},
                {"type": "TableCell", "items": [{"type": "TextBlock", "text": "Teams"}]},
            ],
        },
        {
            "type": "TableRow",
            "cells": [
                {"type": "TableCell", "items": [{"type": "TextBlock", "text": "Start"}]},
                {"type": "TableCell", "items": [{"type": "TextBlock", "text": "3"}]},
            ],
        },
    ],
}

GOOD = {
    "type": "AdaptiveCard",
    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
    "version": "1.5",
    "msteams": {"width": "Full"},
    "body": [
        {
            "type": "TextBlock",
            "text": "Teamscan",
            "size": "Large",
            "weight": "Bolder",
            "wrap": True,
            "style": "heading",
        },
        {
            "type": "Container",
            "style": "emphasis",
            "items": [
                {
                    "type": "ColumnSet",
                    "columns": [
                        {"type": "Column", "width": "auto", "items": [{"type": "TextBlock", "text": "Links"}]},
                        {
                            "type": "Column",
                            "width": "stretch",
                            "items": [{"type": "TextBlock", "text": "Rechts", "isSubtle": True}],
                        },
                    ],
                },
                {"type": "FactSet", "facts": [{"title": "Team", "value": "Noord"}, {"title": "Ronde", "value": "2"}]},
            ],
        },
        TABLE,
        {
            "type": "Input.ChoiceSet",
            "id": "stadium",
            "style": "expanded",
            "label": "Waar staat het team?",
            "isRequired": True,
            "errorMessage": "Kies een stadium",
            "choices": [{"title": "Start", "value": "1"}, {"title": "Groei", "value": "2"}],
        },
        {
            "type": "Input.ChoiceSet",
            "id": "rol",
            "style": "compact",
            "label": "Rol",
            "value": "lid",
            "choices": [{"title": "Lid", "value": "lid"}, {"title": "Leider", "value": "leider"}],
        },
        {
            "type": "Input.ChoiceSet",
            "id": "thema",
            "isMultiSelect": True,
            "style": "expanded",
            "label": "Thema's",
            "choices": [{"title": "Doelen", "value": "doelen"}, {"title": "Rollen", "value": "rollen"}],
        },
        {
            "type": "Input.Text",
            "id": "toelichting",
            "isMultiline": True,
            "maxLength": 500,
            "label": "Toelichting",
            "placeholder": "Optioneel",
        },
        {
            "type": "ActionSet",
            "actions": [
                {"type": "Action.ToggleVisibility", "title": "Meer uitleg", "targetElements": ["uitleg"]},
            ],
        },
        {
            "type": "Container",
            "id": "uitleg",
            "isVisible": False,
            "items": [
                {"type": "TextBlock", "text": "Uitleg over de stadia.", "wrap": True},
            ],
        },
        {
            "type": "Chart.VerticalBar.Grouped",
            "title": "Stadia per ronde",
            "colorSet": "categorical",
            "data": [
                {"legend": "Ronde 1", "values": [{"x": "Start", "y": 3}, {"x": "Groei", "y": 1}]},
                {"legend": "Ronde 2", "values": [{"x": "Start", "y": 1}, {"x": "Groei", "y": 3}]},
            ],
            "fallback": TABLE,
        },
    ],
    "actions": [
        {"type": "Action.Submit", "title": "Bewaar", "style": "positive", "data": {"action": "save", "survey": "s1"}},
        {
            "type": "Action.ShowCard",
            "title": "Opmerking",
            "card": {
                "type": "AdaptiveCard",
                "body": [{"type": "Input.Text", "id": "opmerking", "label": "Opmerking", "isMultiline": True}],
                "actions": [{"type": "Action.Submit", "title": "Stuur", "data": {"action": "comment"}}],
            },
        },
    ],
}


def test_a_good_card_passes(card_validator):
    report = card_validator.check(GOOD)
    assert report.errors == []
    assert report.warnings == []
    assert report.ok


def _changed(change):
    card = copy.deepcopy(GOOD)
    change(card)
    return card


def _input(card, input_id):
    return next(e for e in card["body"] if e.get("id") == input_id)


MISTAKES = {
    "version 1.6": (lambda c: c.update(version="1.6"), ['"version" must be exactly "1.5"']),
    "version 1.4": (lambda c: c.update(version="1.4"), ['"version" must be exactly "1.5"']),
    "version as a number": (lambda c: c.update(version=1.5), ['"version" must be exactly "1.5"']),
    "no version": (lambda c: c.pop("version"), ['"version" must be exactly "1.5"']),
    "root type": (lambda c: c.update(type="Card"), ['root "type" must be "AdaptiveCard"']),
    "unknown element type": (
        lambda c: c["body"].append({"type": "Bogus"}),
        ['card.body[10] ("Bogus"): unknown element type'],
    ),
    "unknown action type": (
        lambda c: c["actions"].append({"type": "Action.Bogus", "title": "x"}),
        ["unknown action type"],
    ),
    "TextBlock without text": (
        lambda c: c["body"][0].pop("text"),
        ['card.body[0] (TextBlock): required property "text" is missing'],
    ),
    "ChoiceSet without choices": (lambda c: _input(c, "rol").pop("choices"), ["must have at least one choice"]),
    "ChoiceSet with empty choices": (lambda c: _input(c, "rol").update(choices=[]), ["must have at least one choice"]),
    "choice without value": (
        lambda c: _input(c, "rol")["choices"][0].pop("value"),
        ['(Input.Choice): required property "value" is missing'],
    ),
    "1.6 property labelPosition": (
        lambda c: _input(c, "toelichting").update(labelPosition="inline"),
        ['"labelPosition" is supported in version 1.6'],
    ),
    "1.6 action role": (lambda c: c["actions"][0].update(role="Link"), ['"role" is supported in version 1.6']),
    "1.6 element Carousel": (
        lambda c: c["body"].append({"type": "Carousel", "pages": []}),
        ["Carousel needs Adaptive Cards 1.6"],
    ),
    "duplicate input ids": (
        lambda c: _input(c, "toelichting").update(id="opmerking"),
        ["duplicate input id 'opmerking'"],
    ),
    "input without id": (lambda c: _input(c, "rol").pop("id"), ['every input needs a non-empty string "id"']),
    "blank input id": (lambda c: _input(c, "rol").update(id=" "), ['every input needs a non-empty string "id"']),
    "over 40 KB": (
        lambda c: c["body"].append({"type": "TextBlock", "text": "x" * 41_000}),
        ["Teams needs it under 40,960"],
    ),
    "Action.Execute": (
        lambda c: c["actions"].append({"type": "Action.Execute", "title": "x", "verb": "v"}),
        ["Action.Execute is not used", "use Action.Submit"],
    ),
    "Action.Execute in a ShowCard": (
        lambda c: c["actions"][1]["card"]["actions"].append({"type": "Action.Execute", "title": "x"}),
        ["card.actions[1].card.actions[1] (Action.Execute)"],
    ),
    "chart without fallback": (
        lambda c: c["body"][-1].pop("fallback"),
        ["(Chart.VerticalBar.Grouped): a chart needs a fallback element"],
    ),
    "chart with an invalid fallback": (
        lambda c: c["body"][-1].update(fallback={"type": "TextBlock"}),
        ['card.body[9].fallback (TextBlock): required property "text" is missing'],
    ),
    "chart with drop fallback": (lambda c: c["body"][-1].update(fallback="drop"), ["a chart needs a fallback element"]),
    "ToggleVisibility to a missing id": (
        lambda c: c["body"][7]["actions"][0].update(targetElements=["weg"]),
        ["target 'weg' is not the id of any element"],
    ),
    "Submit data as a string": (lambda c: c["actions"][0].update(data="save"), ['"data" must be a JSON object']),
    "null value": (lambda c: c["actions"][0]["data"].update(survey=None), ["card.actions[0].data.survey: null value"]),
    "wrong JSON type": (lambda c: c["body"][0].update(wrap="yes"), ['"wrap" must be a boolean, not string "yes"']),
    "typo in a property": (
        lambda c: _input(c, "thema").update(isMultiselect=True),
        ['unknown property "isMultiselect"'],
    ),
    "invalid enum value": (lambda c: c["body"][0].update(size="huge"), ['Invalid value "huge" for property "size"']),
}


@pytest.mark.parametrize("change,expected", MISTAKES.values(), ids=MISTAKES.keys())
def test_mistakes_are_caught(card_validator, change, expected):
    problems = card_validator.problems(_changed(change))
    assert problems, "the mistake went unnoticed"
    for text in expected:
        assert any(text in problem for problem in problems), f"{text!r} not in {problems}"


def test_a_chart_without_fallback_is_reported_once(card_validator):
    problems = card_validator.problems(_changed(lambda c: c["body"][-1].pop("fallback")))
    assert len([p for p in problems if "a chart needs a fallback element" in p]) == 1, problems


def test_size_limit_is_strictly_under_40_kb(card_validator):
    def card_of(size):
        card = copy.deepcopy(GOOD)
        card["body"].append({"type": "TextBlock", "text": ""})
        card["body"][-1]["text"] = "é" * ((size - card_size(card)) // 2) + "x" * ((size - card_size(card)) % 2)
        assert card_size(card) == size
        return card

    assert card_validator.problems(card_of(MAX_BYTES - 1)) == []
    assert any("40 KB" in p for p in card_validator.problems(card_of(MAX_BYTES)))


def test_a_required_input_without_label_is_a_warning_not_an_error(card_validator):
    def required_without_label(card):
        rol = _input(card, "rol")
        del rol["label"]
        rol["isRequired"] = True

    report = card_validator.check(_changed(required_without_label))
    assert report.ok, report.errors
    assert any("label" in w for w in report.warnings)


def test_assert_valid_card_lists_every_problem():
    card = _changed(lambda c: (c.update(version="1.6"), c["actions"][0].update(data="x")))
    with pytest.raises(AssertionError) as failure:
        assert_valid_card(card)
    message = str(failure.value)
    assert '"version" must be exactly "1.5"' in message
    assert '"data" must be a JSON object' in message
    assert_valid_card(GOOD)


def test_many_cards_in_one_round_trip_keep_their_order_and_are_fast(card_validator):
    bad = _changed(lambda c: c["body"][0].pop("text"))
    cards = [GOOD if i % 3 else bad for i in range(300)]
    card_validator.problems(GOOD)  # the Node process is running
    started = time.perf_counter()
    results = card_validator.problems_many(cards)
    per_card = (time.perf_counter() - started) / len(cards)
    assert [bool(r) for r in results] == [i % 3 == 0 for i in range(300)]
    assert per_card < 0.02, f"{per_card * 1000:.1f} ms per card"


def test_a_closed_validator_starts_again_when_used():
    validator = CardValidator()
    try:
        assert validator.problems(GOOD) == []
        validator.close()
        assert validator.problems(GOOD) == []
    finally:
        validator.close()


def test_the_node_tool_speaks_one_json_line_per_card():
    lines = [
        json.dumps(GOOD),
        "",
        "not json",
        json.dumps({"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock"}]}),
        json.dumps({"type": "AdaptiveCard", "version": "1.6", "body": []}),
    ]
    done = subprocess.run(
        ["node", str(SCRIPT)], input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=60, check=True
    )
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["ok"] for r in results] == [True, False, False, False]
    assert all(set(r) == {"ok", "errors", "warnings"} for r in results)
    assert "not a JSON card" in results[1]["errors"][0]
    assert 'required property "text" is missing' in results[2]["errors"][0]
    assert "version 1.6 is newer than the target version 1.5" in results[3]["errors"][0]
