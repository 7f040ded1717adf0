"""The director's and the scholengroep's cards as built, without Teams: the words a director reads."""

from __future__ import annotations

from datetime import datetime, timezone

import yaml

from cards.director import summary_card, team_view
from survey.consolidation import propose
from survey.questionnaire import CONTENT_DIR, Questionnaire
from survey.registry import Centre
from survey.summary import summarise
from survey.waves import Wave
from tests.support.content import self_scan
from tests.support.responses import filled_response
from tests.support.teams import iter_elements

Q = self_scan()
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
CENTRE = Centre(
    id="c",
    name="GO! CLB Proef",
    director={"name": "Dina Directeur", "email": "d@clb.example"},
    members=[{"name": "Mo Medewerker", "email": "mo@clb.example"}, {"name": "Lea Lid", "email": "lea@clb.example"}],
)
WAVE = Wave(id="w", name="Zelfscan", status="open", created_at=NOW)


def texts(card_or_elements) -> list[str]:
    return [e["text"] for e in iter_elements(card_or_elements) if e.get("type") == "TextBlock"]


def member_response(email: str, **kwargs):
    return filled_response(Q, wave_id="w", centre_id="c", respondent_id=email, now=NOW, **kwargs)


def test_one_member_is_one_lid_in_the_singular():
    one = team_view(Q, "behartiger", "situering", propose(Q, "behartiger", [member_response("mo@clb.example")], {}))
    assert "**Je team**: 1 lid beantwoordde deze vragen." in texts({"body": one})
    two = team_view(
        Q,
        "behartiger",
        "situering",
        propose(Q, "behartiger", [member_response("mo@clb.example"), member_response("lea@clb.example")], {}),
    )
    assert "**Je team**: 2 leden beantwoordden deze vragen." in texts({"body": two})


def test_a_single_priority_point_is_one_punt():
    # One member put teamwerk first (5 points) … and preventie fifth (1 point).
    closing = {
        "priorities_1": "teamwerk",
        "priorities_2": "plg",
        "priorities_3": "behartiger",
        "priorities_4": "kernprocessen",
        "priorities_5": "preventie",
        "inspiring_practices_1": "behartiger",
    }
    team = summarise(Q, CENTRE, [member_response("mo@clb.example", closing=closing)])
    lines = texts(summary_card(Q, team, WAVE, centre_answer=None, previous_answer=None, previous_wave=None, now=NOW))
    assert any(line.endswith("Preventie (1 punt)") for line in lines), lines
    assert any(line.endswith("Sterk teamwerk (5 punten)") for line in lines), lines


def test_inspiring_practices_are_out_of_those_who_answered_the_closing_questions():
    # Lea answered the closing questions but did not send yet: "2 van 2", never "2 van 1".
    sent = member_response("mo@clb.example")
    busy = member_response("lea@clb.example", submit=False)
    team = summarise(Q, CENTRE, [sent, busy])
    lines = texts(summary_card(Q, team, WAVE, centre_answer=None, previous_answer=None, previous_wave=None, now=NOW))
    assert "Inspirerende praktijken: Behartiger van de leerling (2 van 2)" in lines, lines


def test_the_teams_answers_open_and_close_with_words_that_say_so():
    view = team_view(Q, "behartiger", "situering", propose(Q, "behartiger", [member_response("mo@clb.example")], {}))
    lines = texts({"body": view})
    assert "Toon wat je team antwoordde" in lines and "Verberg wat je team antwoordde" in lines
    hidden = {e["id"] for e in iter_elements({"body": view}) if e.get("isVisible") is False}
    assert "team-answers-behartiger-situering" in hidden and "team-answers-behartiger-situering-less" in hidden


def extended_self_scan():
    """The self-scan with two questions of existing types added in the content only: a tally and a text."""
    raw = yaml.safe_load((CONTENT_DIR / "poolster-clb-2025-1.yaml").read_text(encoding="utf-8"))
    raw["questions"] += [
        {
            "id": "ondersteuning",
            "type": "multiple_choice",
            "summary": "tally",
            "short_label": "Ondersteuning",
            "text": "Welke ondersteuning helpt bij {unit}?",
            "required": False,
            "options": [{"id": "vorming", "label": "vorming"}, {"id": "tijd", "label": "meer tijd"}],
        },
        {
            "id": "idee",
            "type": "free_text",
            "summary": "texts",
            "short_label": "Idee",
            "text": "Een idee voor {unit}?",
            "required": False,
        },
    ]
    raw["pages"][-1]["questions"] += ["ondersteuning", "idee"]
    return Questionnaire.model_validate(raw)


def test_a_question_added_to_the_content_appears_on_the_card(card_validator):
    q = extended_self_scan()
    responses = [
        filled_response(
            q,
            wave_id="w",
            centre_id="c",
            respondent_id=email,
            now=NOW,
            context={"ondersteuning": "tijd", "idee": f"Een idee van {email[:3]}"},
        )
        for email in ("mo@clb.example", "lea@clb.example")
    ]
    card = summary_card(
        q, summarise(q, CENTRE, responses), WAVE, centre_answer=None, previous_answer=None, previous_wave=None, now=NOW
    )
    card_validator.assert_valid(card)
    lines = texts(card)
    assert "**Meest genoemde ondersteuning**" in lines and "meer tijd: in alle 22 antwoorden" in lines
    details = next(e for e in iter_elements(card) if e.get("id") == "team-behartiger")
    words = " ".join(texts(details))
    assert "**Ondersteuning**: meer tijd: 2 van 2 leden" in words, "counted like the hefbomen"
    assert "**Mo Medewerker** (Idee): Een idee van mo@" in words, "the texts behind the toggle, with who wrote them"


def test_the_ranking_weighs_by_the_questions_own_number_of_places():
    raw = yaml.safe_load((CONTENT_DIR / "poolster-clb-2025-1.yaml").read_text(encoding="utf-8"))
    ranking = next(q for q in raw["final"]["questions"] if q.get("summary") == "ranking")
    ranking["max_choices"] = 4
    q = Questionnaire.model_validate(raw)
    closing = {f"{ranking['id']}_{n}": unit for n, unit in enumerate(("teamwerk", "plg", "behartiger", "preventie"), 1)}
    votes = next(q for q in raw["final"]["questions"] if q.get("summary") == "votes")
    closing[f"{votes['id']}_none"] = "true"
    team = summarise(q, CENTRE, [member_response_of(q, "mo@clb.example", closing)])
    lines = texts(summary_card(q, team, WAVE, centre_answer=None, previous_answer=None, previous_wave=None, now=NOW))
    assert any("een eerste plaats telt 4 punten, een vierde 1" in line for line in lines), lines
    assert any(line.endswith("Sterk teamwerk (4 punten)") for line in lines)
    assert any(line.endswith("Preventie (1 punt)") for line in lines)


def member_response_of(q, email: str, closing: dict):
    return filled_response(q, wave_id="w", centre_id="c", respondent_id=email, now=NOW, closing=closing)
