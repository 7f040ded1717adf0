"""The schools' view for a director, as built: per statement the share that agrees, per school type
only where no school can be recognised, never which school answered what."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from cards.schools import CARD_BUDGET, schools_card
from dialogs.director import schools_wave
from survey.registry import Centre
from survey.school_view import MIN_SCHOOLS, schools_view
from survey.waves import Wave
from tests.support.content import schools_survey
from tests.support.harness import DIRECTOR, MEMBERS, OTHER_DIRECTOR, STRANGER, registry_document, write_registry
from tests.support.responses import school_response
from tests.support.scripts import new_card
from tests.support.teams import iter_elements, texts_in

Q = schools_survey()
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
WAVE = Wave(
    id="scholen-2026",
    name="Bevraging scholen 2026",
    status="open",
    created_at=NOW,
    questionnaire_id=Q.id,
    questionnaire_version=Q.version,
)
CLOSED = WAVE.model_copy(update={"status": "closed", "closed_at": NOW})
STATEMENTS = [s for _, s in Q.statements()]
MO = MEMBERS[0]


def school(n: int, kind: str) -> dict:
    return {
        "id": f"{kind}-{n}",
        "name": f"School {kind.upper()} {n}",
        "type": kind,
        "contacts": [{"name": f"Contact {kind} {n}", "email": f"{kind}{n}@school.example"}],
    }


# 1 buso + 4 bao + 3 so answer; 4 more schools were invited and did not.
SCHOOLS = [
    school(1, "buso"),
    *[school(n, "bao") for n in range(1, 6)],
    *[school(n, "so") for n in range(1, 5)],
    school(1, "bubao"),
    school(2, "buso"),
]
CENTRE = Centre(
    id="clb-demo", name="GO! CLB Demo", director={"name": "Dina", "email": "dina@clb.example"}, schools=SCHOOLS
)
ANSWERING = ["buso-1", "bao-1", "bao-2", "bao-3", "bao-4", "so-1", "so-2", "so-3"]
# The buso school disagrees with everything, so would stand out if it could be seen.
BUSO_SECRET = "Alleen deze ene school schreef dit."


def ratings(school_id: str) -> dict[str, str]:
    if school_id.startswith("buso"):
        return {s.id: "helemaal_niet" for s in STATEMENTS}
    if school_id.startswith("so"):
        return {s.id: ("eerder_niet" if s.number % 2 else "helemaal") for s in STATEMENTS}
    return {s.id: ("nvt" if s.number == 18 else "eerder_wel") for s in STATEMENTS}


def answers(ids=ANSWERING, centre_id="clb-demo"):
    return [
        school_response(
            Q,
            wave_id=WAVE.id,
            centre_id=centre_id,
            school_id=school_id,
            now=NOW,
            school_name=f"Naam van {school_id}",
            rating=ratings(school_id),
            comment=BUSO_SECRET if school_id.startswith("buso") else "",
            final="Wisselend personeel." if school_id == "bao-1" else "",
        )
        for school_id in ids
    ]


def texts(card: dict) -> list[str]:
    return [e["text"] for e in iter_elements(card) if e.get("type") == "TextBlock"]


def test_the_schools_view_per_statement_with_most_and_least_agreement(card_validator):
    view = schools_view(Q, [CENTRE], answers(), final=True)
    card = schools_card(view, CENTRE, CLOSED, NOW)
    card_validator.assert_valid(card)
    assert len(json.dumps(card, ensure_ascii=False).encode()) <= CARD_BUDGET
    lines = texts(card)
    assert "**8 van 12 scholen** antwoordden." in lines
    # Statement 18: bao said "nvt" (left out), so 3 so + 1 buso remain: so ≈ 50%+ helemaal on even numbers.
    for item in view.statements:
        shown = f"**{item.share}%**" if item.share is not None else "**–**"
        assert shown in lines, item.statement.number
    for unit in Q.units:
        assert any(unit.title in line for line in lines), "every thema has its statements"
        hidden = next(e for e in iter_elements(card) if e.get("id") == f"schools-{unit.id}")
        assert hidden["isVisible"] is False, "statements one tap away, per thema"
    most = lines.index("**Waar de scholen het meest akkoord gaan**")
    least = lines.index("**Waar ze het minst akkoord gaan**")
    assert all(f"{s.statement.number}. " in " ".join(lines[most:least]) for s in view.most_agreed(3))
    assert any("−− " in line and " · ++ " in line for line in lines), "the counts per answer"
    assert any("Wisselend personeel." in line for line in lines), "the comments, quoted"


def test_a_small_school_type_is_never_shown_nor_derivable():
    view = schools_view(Q, [CENTRE], answers(), final=True)
    assert view.shown_types == ("bao",), "buso (1) hidden, and so (3) too, else buso = total − bao − so"
    card = schools_card(view, CENTRE, CLOSED, NOW)
    words = json.dumps(card, ensure_ascii=False)
    lines = texts(card)
    assert "Apart getoond: basisonderwijs (4 scholen)." in lines
    # The hidden types are not named: "buitengewoon secundair" would tell the one buso school answered.
    assert any(
        line.startswith("Enkel in het totaal: de andere soorten scholen (minder dan 3 scholen,") for line in lines
    )
    assert "buitengewoon secundair" not in words and "secundair onderwijs" not in words
    per_type = [
        line for line in lines if "onderwijs " in line and "%" in line and not line.startswith(("Apart", "Ook"))
    ]
    assert per_type and all(line.startswith("basisonderwijs ") and "secundair" not in line for line in per_type)
    for school_ in CENTRE.schools:
        assert school_.name not in words and school_.id not in words, "no school is named"
    assert "Naam van" not in words
    assert not any(contact.name in words for s in CENTRE.schools for contact in s.contacts)
    # The comment of the buso school is there, without whose it is: nothing ties it to a type.
    assert BUSO_SECRET in words and "buso" not in words.lower().replace("buitengewoon secundair", "")


def test_below_three_schools_nothing_per_statement(card_validator):
    view = schools_view(Q, [CENTRE], answers(ANSWERING[: MIN_SCHOOLS - 1]), final=True)
    card = schools_card(view, CENTRE, CLOSED, NOW)
    card_validator.assert_valid(card)
    words = json.dumps(card, ensure_ascii=False)
    assert "**2 van 12 scholen** antwoordden." in texts(card)
    assert "vanaf 3 scholen zie je hier wat ze per stelling antwoordden" in words
    assert "%" not in words and BUSO_SECRET not in words
    assert not any(s.short_label in words for s in STATEMENTS)


@pytest.fixture
def data_dir(tmp_path):
    document = registry_document()
    document["centres"][0]["schools"] = [
        school(1, "buso"),
        *[school(n, "bao") for n in range(1, 5)],
        *[school(n, "so") for n in range(1, 4)],
    ]
    folder = tmp_path / "data"
    write_registry(folder, document)
    return folder


async def seed_schools_wave(bot, ids=ANSWERING, *, closed: bool = True) -> Wave:
    services = bot.poolster.services
    wave = (CLOSED if closed else WAVE).model_copy(update={"launched_at": NOW})
    await services.waves.put(wave, wave.id)
    for response in answers(ids):
        await services.responses.put(response, wave.id, "clb-demo", response.respondent_id)
    return wave


async def test_the_director_types_scholen_and_sees_only_their_own_centres_schools(teams, bot, connector):
    await seed_schools_wave(bot)
    card = new_card(await teams.say(DIRECTOR, "scholen")).card
    lines = texts(card)
    assert lines[0] == "Wat de scholen zeggen — GO! CLB Demo"
    assert "**8 van 8 scholen** antwoordden." in lines
    words = json.dumps(card, ensure_ascii=False)
    assert "Naam van" not in words and "School BUSO" not in words
    assert not any(line.startswith("buitengewoon secundair onderwijs ") for line in lines), "buso never on its own"
    assert not any(line.startswith("secundair onderwijs ") for line in lines), "nor so, which would give buso away"

    # The Teamoverzicht points to it.
    await teams.say(DIRECTOR, "team")
    await bot.poolster.summaries.idle()
    overview = [c.card for c in connector.calls if c.card and "Teamoverzicht" in str(c.card)][-1]
    assert any("8 van 8 scholen antwoordden" in line and "*scholen*" in line for line in texts(overview))

    # Another centre's director, a member, a stranger: nothing of this centre.
    other = await teams.say(OTHER_DIRECTOR, "scholen")
    assert "GO! CLB Demo" not in str([c.card for c in other]) + texts_in(other)
    assert "Er staan nog geen scholen van GO! CLB Andere in het register" in texts_in(other)
    for user in (MO, STRANGER):
        reply = await teams.say(user, "scholen")
        assert "%" not in str([c.card for c in reply]) and "directeur" in texts_in(reply)


async def test_while_the_schools_wave_is_open_one_more_answer_reveals_nothing(teams, bot, connector):
    # Comparing `scholen` before and after one school submits must not show what that school said.
    wave = await seed_schools_wave(bot, ANSWERING[1:], closed=False)
    before = new_card(await teams.say(DIRECTOR, "scholen")).card
    await seed_schools_wave(bot, ANSWERING, closed=False)
    after = new_card(await teams.say(DIRECTOR, "scholen")).card
    assert "**7 van 8 scholen** antwoordden." in texts(before) and "**8 van 8 scholen** antwoordden." in texts(after)
    for card in (before, after):
        words = json.dumps(card, ensure_ascii=False)
        assert "%" not in words and BUSO_SECRET not in words and "Wisselend personeel." not in words
        assert not any(s.short_label in words for s in STATEMENTS) and "Apart getoond" not in words
        assert "komen er pas als de bevraging afgelopen is: zodra de bevraging gesloten wordt" in words
    # Past its deadline the wave takes no answers any more: then the results are there.
    past = wave.model_copy(update={"deadline": date(2026, 1, 1)})
    await bot.poolster.services.waves.put(past, past.id)
    final = json.dumps(new_card(await teams.say(DIRECTOR, "scholen")).card, ensure_ascii=False)
    assert "%" in final and "Apart getoond: basisonderwijs (4 scholen)." in final
    # The Teamoverzicht's pointer only ever counts.
    await teams.say(DIRECTOR, "team")
    await bot.poolster.summaries.idle()
    overview = [c.card for c in connector.calls if c.card and "Teamoverzicht" in str(c.card)][-1]
    assert "%" not in json.dumps([line for line in texts(overview) if "scholen" in line])


async def test_the_report_shows_the_schools_wave_of_its_own_self_scan_wave(bot):
    services = bot.poolster.services
    centre = next(c for c in services.registry.centres if c.id == "clb-demo")
    day = timedelta(days=1)
    start = services.clock() - 400 * day
    old_scan = Wave(
        id="zelfscan-1",
        name="Zelfscan 1",
        status="closed",
        created_at=start,
        launched_at=start,
        closed_at=start + 30 * day,
    )
    new_scan = Wave(id="zelfscan-2", name="Zelfscan 2", status="open", created_at=start, launched_at=start + 300 * day)
    first = WAVE.model_copy(update={"id": "scholen-1", "status": "closed", "launched_at": start + 10 * day})
    second = WAVE.model_copy(update={"id": "scholen-2", "status": "open", "launched_at": start + 310 * day})
    for wave in (old_scan, new_scan, first, second):
        await services.waves.put(wave, wave.id)
    assert (await schools_wave(services, centre, old_scan)).id == "scholen-1", "not the newer schools' wave"
    # A self-scan still open: the newest schools' wave launched before now.
    assert (await schools_wave(services, centre, new_scan)).id == "scholen-2"
    # Without a self-scan wave (`scholen`): the one the schools answer now.
    assert (await schools_wave(services, centre)).id == "scholen-2"
    before_any = old_scan.model_copy(update={"closed_at": start + 5 * day})
    assert await schools_wave(services, centre, before_any) is None


async def test_without_a_schools_wave_the_director_is_told_so(teams, bot, connector):
    assert "Er liep nog geen bevraging van de scholen" in texts_in(await teams.say(DIRECTOR, "scholen"))
    await teams.say(DIRECTOR, "team")
    await bot.poolster.summaries.idle()
    overview = [c.card for c in connector.calls if c.card and "Teamoverzicht" in str(c.card)][-1]
    assert "*scholen*" not in str(overview), "no pointer without a schools' wave"


async def test_the_directors_help_lists_the_schools_commands_and_a_members_does_not(teams, bot, connector):
    director_help = str(new_card(await teams.say(DIRECTOR, "help")).card)
    assert "bevraag de scholen tot dd-mm-jjjj" in director_help and "wat de scholen" in director_help
    assert "bevraag de scholen" not in str(new_card(await teams.say(MO, "help")).card)


async def test_a_director_without_schools_is_told_who_adds_them_and_nothing_starts(teams, bot, connector):
    before = await bot.poolster.services.waves.list()
    told = texts_in(await teams.say(OTHER_DIRECTOR, "bevraag de scholen tot 30-06-2027"))
    assert "nog geen scholen" in told and "POC+ zet de scholen" in told and "niets aangemaakt" in told
    assert await bot.poolster.services.waves.list() == before
