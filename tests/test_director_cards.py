"""The director's and the scholengroep's cards as built, without Teams: the words a director reads."""

from __future__ import annotations

from datetime import datetime, timezone

from cards.director import summary_card, team_view
from survey.consolidation import propose
from survey.questionnaire import load_questionnaire
from survey.registry import Centre
from survey.summary import summarise
from survey.waves import Wave
from tests.support.responses import filled_response
from tests.support.teams import iter_elements

Q = load_questionnaire()
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
CENTRE = Centre(id="c", name="GO! CLB Proef", director={"name": "Dina Directeur", "email": "d@clb.example"},
                members=[{"name": "Mo Medewerker", "email": "mo@clb.example"},
                         {"name": "Lea Lid", "email": "lea@clb.example"}])
WAVE = Wave(id="w", name="Zelfscan", status="open", created_at=NOW)


def texts(card_or_elements) -> list[str]:
    return [e["text"] for e in iter_elements(card_or_elements) if e.get("type") == "TextBlock"]


def member_response(email: str, **kwargs):
    return filled_response(Q, wave_id="w", centre_id="c", respondent_id=email, now=NOW, **kwargs)


def test_one_member_is_one_lid_in_the_singular():
    one = team_view(Q, "behartiger", "situering", propose(Q, "behartiger", [member_response("mo@clb.example")], {}))
    assert "**Je team**: 1 lid beantwoordde deze vragen." in texts({"body": one})
    two = team_view(Q, "behartiger", "situering", propose(Q, "behartiger", [
        member_response("mo@clb.example"), member_response("lea@clb.example")], {}))
    assert "**Je team**: 2 leden beantwoordden deze vragen." in texts({"body": two})


def test_a_single_priority_point_is_one_punt():
    # One member put teamwerk first (5 points) … and preventie fifth (1 point).
    closing = {"priorities_1": "teamwerk", "priorities_2": "plg", "priorities_3": "behartiger",
               "priorities_4": "kernprocessen", "priorities_5": "preventie", "inspiring_practices_1": "behartiger"}
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
    assert "Inspirerende praktijk: Behartiger van de leerling (2 van 2)" in lines, lines


def test_the_teams_answers_open_and_close_with_words_that_say_so():
    view = team_view(Q, "behartiger", "situering", propose(Q, "behartiger", [member_response("mo@clb.example")], {}))
    lines = texts({"body": view})
    assert "Toon wat je team antwoordde" in lines and "Verberg wat je team antwoordde" in lines
    hidden = {e["id"] for e in iter_elements({"body": view}) if e.get("isVisible") is False}
    assert "team-answers-behartiger-situering" in hidden and "team-answers-behartiger-situering-less" in hidden
