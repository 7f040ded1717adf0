"""The schools' view: counted per statement and school type, never per school."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone

from survey.registry import Centre, Person, School
from survey.school_view import MIN_SCHOOLS, agreement_share, is_final, schools_view, type_lines, waiting_text
from survey.waves import Wave
from tests.support.content import schools_survey
from tests.support.responses import school_response

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)


def _centre(types: list[str], centre_id: str = "clb-a") -> Centre:
    schools = tuple(
        School(
            id=f"{centre_id}-s{n}",
            name=f"School {n}",
            type=t,
            contacts=(Person(name=f"Contact {n}", email=f"contact{n}@{centre_id}.be"),),
        )
        for n, t in enumerate(types)
    )
    return Centre(
        id=centre_id, name=centre_id.upper(), director=Person(name="D", email=f"d@{centre_id}.be"), schools=schools
    )


def _answers(centre: Centre, rating_of, *, submit: bool = True, comment: str = "") -> list:
    q = schools_survey()
    return [
        school_response(
            q,
            wave_id="w",
            centre_id=centre.id,
            school_id=s.id,
            now=NOW,
            rating=rating_of(s),
            submit=submit,
            comment=comment,
        )
        for s in centre.schools
    ]


def test_each_statement_is_counted_overall_and_per_school_type():
    centre = _centre(["bao"] * 4 + ["so"] * 3)
    view = schools_view(
        schools_survey(),
        [centre],
        _answers(centre, lambda s: "helemaal" if s.type == "bao" else "eerder_niet"),
        final=True,
    )
    assert view.enough and view.answered == 7 and view.invited == 7
    assert view.shown_types == ("bao", "so")
    first = view.statements[0]
    assert first.total["helemaal"] == 4 and first.total["eerder_niet"] == 3
    assert first.share == round(100 * 4 / 7)
    assert first.share_by_type == {"bao": 100, "so": 0}
    assert [s.statement.number for s in view.differences()][:3] == [4, 5, 6]
    assert len(view.statements) == len(schools_survey().statements())


def test_a_small_school_type_is_only_in_the_total_and_cannot_be_derived_from_it():
    # 4 bao, 3 so, 1 buso: buso alone is hidden; showing bao and so would give buso away
    # (total minus the two), so the smaller of them, so, goes into the total as well.
    centre = _centre(["bao"] * 4 + ["so"] * 3 + ["buso"])
    view = schools_view(
        schools_survey(),
        [centre],
        _answers(centre, lambda s: "helemaal_niet" if s.type == "buso" else "helemaal"),
        final=True,
    )
    assert view.shown_types == ("bao",)
    assert "buso" not in view.statements[0].by_type and "so" not in view.statements[0].by_type
    assert set(view.hidden_types) == {"so", "buso"}
    assert view.statements[0].total["helemaal_niet"] == 1  # inside the total


def test_nothing_is_shown_below_the_minimum_of_answering_schools():
    centre = _centre(["bao"] * (MIN_SCHOOLS - 1) + ["so"] * 3)
    answers = _answers(centre, lambda s: "helemaal", comment="Onze contactpersoon is fantastisch")
    # Only the first two have submitted.
    answers = [
        a
        if a.respondent_id in {s.id for s in centre.schools[: MIN_SCHOOLS - 1]}
        else a.model_copy(update={"submitted_at": None})
        for a in answers
    ]
    view = schools_view(schools_survey(), [centre], answers, final=True)
    assert not view.enough and view.answered == MIN_SCHOOLS - 1
    assert view.statements == () and view.comments == () and view.shown_types == ()


def test_comments_carry_no_school_and_follow_the_text_not_the_order_of_answering():
    centre = _centre(["bao"] * 3)
    q = schools_survey()
    answers = [
        school_response(q, wave_id="w", centre_id=centre.id, school_id=s.id, now=NOW, comment=text, school_name=s.name)
        for s, text in zip(centre.schools, ["Zeer tevreden", "Altijd bereikbaar", "Graag meer overleg"], strict=True)
    ]
    view = schools_view(q, [centre], answers, final=True)
    title, texts = view.comments[0]
    assert texts == ("Altijd bereikbaar", "Graag meer overleg", "Zeer tevreden")
    assert not any(s.name in repr(view.comments) for s in centre.schools)


def test_not_applicable_is_left_out_of_the_share_of_agreement():
    scale = schools_survey().scale("akkoord")
    assert agreement_share(scale, Counter({"helemaal": 1, "eerder_niet": 1, "nvt": 5})) == 50
    assert agreement_share(scale, Counter({"nvt": 3})) is None


def test_the_network_counts_the_schools_of_every_centre():
    first, second = _centre(["bao"] * 2, "clb-a"), _centre(["bao"] * 2, "clb-b")
    answers = _answers(first, lambda s: "helemaal") + _answers(second, lambda s: "eerder_wel")
    view = schools_view(schools_survey(), [first, second], answers, final=True)
    assert view.answered == 4 and view.shown_types == ("bao",)
    assert view.statements[0].share == 100
    # A school's answer in another centre's wave is not counted for this centre.
    only_first = schools_view(schools_survey(), [first], answers, final=True)
    assert only_first.answered == 2 and not only_first.enough


def test_while_the_wave_accepts_answers_only_how_many_schools_answered():
    # Comparing the view before and after one school submits must not give its answers away.
    centre = _centre(["bao"] * 4 + ["so"] * 3)
    answers = _answers(centre, lambda s: "helemaal", comment="Onze contactpersoon is fantastisch")
    before = schools_view(schools_survey(), [centre], answers[:-1], final=False)
    after = schools_view(schools_survey(), [centre], answers, final=False)
    for view in (before, after):
        assert view.enough and not view.final and not view.visible
        assert view.statements == () and view.comments == () and view.shown_types == ()
    assert (before.answered, after.answered) == (6, 7)
    assert schools_view(schools_survey(), [centre], answers, final=True).visible


def test_a_wave_is_final_once_it_no_longer_accepts_answers():
    wave = Wave(id="w", name="W", status="open", created_at=NOW, deadline=date(2026, 12, 15))
    assert not is_final(wave, NOW)
    assert is_final(wave, NOW + timedelta(days=20)), "past its deadline"
    assert is_final(wave.model_copy(update={"status": "closed"}), NOW)
    assert "na de deadline van 15-12-2026" in waiting_text(wave)
    assert "geen deadline" in waiting_text(wave.model_copy(update={"deadline": None}))


def test_the_types_only_inside_the_total_are_not_named():
    centre = _centre(["bao"] * 4 + ["buso"])
    view = schools_view(schools_survey(), [centre], _answers(centre, lambda s: "helemaal"), final=True)
    # 4 bao and 1 buso: bao shown would give buso away, so nothing apart.
    assert view.shown_types == ()
    centre = _centre(["bao"] * 4 + ["so"] * 3 + ["buso", "bubao", "bubao"])
    view = schools_view(schools_survey(), [centre], _answers(centre, lambda s: "helemaal"), final=True)
    assert view.shown_types == ("bao", "so")
    lines = type_lines(view)
    assert lines == [
        "Apart getoond: basisonderwijs (4 scholen), secundair onderwijs (3 scholen).",
        "Enkel in het totaal: de andere soorten scholen (elk minder dan 3 scholen).",
    ]
