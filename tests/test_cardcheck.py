"""The card validator catches real mistakes (so a green run means something)."""

from __future__ import annotations

import pytest

GOOD = {
    "type": "AdaptiveCard", "version": "1.5",
    "body": [
        {"type": "TextBlock", "text": "Hallo", "wrap": True},
        {"type": "Input.ChoiceSet", "id": "keuze", "style": "expanded", "label": "Kies",
         "choices": [{"title": "A", "value": "a"}]},
        {"type": "ActionSet", "actions": [{"type": "Action.ToggleVisibility", "title": "Meer", "targetElements": ["meer"]}]},
        {"type": "Container", "id": "meer", "isVisible": False, "items": [{"type": "TextBlock", "text": "x"}]},
        {"type": "Chart.VerticalBar.Grouped", "title": "t", "data": [{"legend": "a", "values": [{"x": "1", "y": 2}]}],
         "fallback": {"type": "TextBlock", "text": "1: 2"}},
    ],
    "actions": [{"type": "Action.Submit", "title": "Bewaar", "data": {"action": "x"}}],
}


def test_a_good_card_passes(card_validator):
    assert card_validator.problems(GOOD) == []


@pytest.mark.parametrize("change,expected", [
    (lambda c: c.update(version="1.6"), "version must be 1.5"),
    (lambda c: c["body"].append({"type": "Bogus"}), "Unknown element type"),
    (lambda c: c["body"].append({"type": "Input.ChoiceSet", "id": "leeg", "choices": []}), "at least one choice"),
    (lambda c: c["body"].append({"type": "Input.Text", "id": "keuze"}), "duplicate input ids"),
    (lambda c: c["body"].append({"type": "TextBlock", "text": "x" * 41_000}), "under"),
    (lambda c: c["actions"].append({"type": "Action.Execute", "title": "x"}), "Action.Execute"),
    (lambda c: c["body"].append({"type": "Chart.Pie", "data": []}), "needs a fallback"),
    (lambda c: c["body"][2]["actions"][0].update(targetElements=["weg"]), "missing element"),
    (lambda c: c["actions"][0].update(data="tekst"), "must be an object"),
])
def test_mistakes_are_caught(card_validator, change, expected):
    import copy
    card = copy.deepcopy(GOOD)
    change(card)
    problems = card_validator.problems(card)
    assert any(expected.lower() in p.lower() for p in problems), problems
