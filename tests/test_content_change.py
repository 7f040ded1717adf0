"""Issue 15's "done when", as a reviewer would do it: edit content files only, and everything follows.

A new version of the self-scan with one more question (an existing type) and a new version of the
schools' survey with one more statement are added beside the old files, as text, the way a content
editor edits YAML. The bot restarts on them: a wave launched now runs the new versions, and the
member's card, the director's Teamoverzicht, the schools' card, POC+'s results, the report and the
export pick the additions up; the wave that ran the old version reads, reports and exports as before.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import aiohttp

from dialogs.director import report_input
from reports.render import render_html
from survey.export import build_tables
from survey.questionnaire import CONTENT_DIR
from survey.waves import Wave
from tests.support.content import SCHOOLS, SELF_SCAN
from tests.support.harness import ADMIN, DIRECTOR, MEMBERS, person, registry_document, start_bot, write_registry
from tests.support.responses import filled_response, school_response
from tests.support.scripts import CLOSING, CONTEXT, answer_page, card_title, new_card, start
from tests.support.teams import TeamsClient, TeamsUser, inputs_of, texts_in

MO, LEA, _ = MEMBERS
CONTACTS = [TeamsUser(f"Contact {i}", f"c{i}@school{i}.example", f"aad-c{i}") for i in range(1, 5)]

NEW_QUESTION = """  - id: "ondersteuning"
    type: "multiple_choice"
    summary: "tally"
    short_label: "Steun gewenst"
    text: "Welke ondersteuning zou ons centrum helpen bij {unit}?"
    options:
      - id: "vorming"
        label: "vorming of opleiding"
      - id: "intervisie"
        label: "intervisie met andere centra"
      - id: "geen"
        label: "neen, geen ondersteuning nodig"
        exclusive: true
"""
NEW_STATEMENT = """          - id: "s11"
            number: 11
            text: "De CLB-medewerkers informeren ons tijdig over wijzigingen in hun werking."
            short_label: "Informeren ons tijdig"
"""


def new_version(folder: Path, name: str, edit) -> None:
    """Copy a content file to a new version (version and released changed) and edit its text."""
    text = (CONTENT_DIR / f"{name}-2025-1.yaml").read_text(encoding="utf-8")
    text = text.replace('version: "2025-1"\nreleased: 2025-09-01', 'version: "2026-1"\nreleased: 2026-09-01')
    (folder / f"{name}-2026-1.yaml").write_text(edit(text), encoding="utf-8")


def add_question(text: str) -> str:
    text = text.replace("\npages:\n", "\n" + NEW_QUESTION + "pages:\n", 1)
    return text.replace('"knelpunten", "differences"]', '"knelpunten", "differences", "ondersteuning"]', 1)


def add_statement(text: str) -> str:
    anchor = '            short_label: "Algemeen tevreden over onze samenwerking"\n'
    return text.replace(anchor, anchor + NEW_STATEMENT, 1)


def registry() -> dict:
    document = registry_document()
    document["centres"][0]["schools"] = [
        {"id": f"school-{n}", "name": f"Basisschool {n}", "type": "bao", "contacts": [person(contact)]}
        for n, contact in enumerate(CONTACTS, start=1)
    ]
    return document


async def test_content_files_alone_add_a_question_and_a_statement_and_old_waves_keep_theirs(tmp_path, connector):
    for contact in CONTACTS:
        connector.add_member(contact.as_member())
    data, content = tmp_path / "data", tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    write_registry(data, registry())

    # Before the update: the default self-scan wave and a closed schools' wave, answered on 2025-1.
    bot = await start_bot(data, content_dir=content)
    services = bot.poolster.services
    (old_wave,) = await services.waves.list()
    old_q = services.questionnaire_of(old_wave)
    now = services.clock()
    for member in (MO, LEA):
        answered = filled_response(
            old_q, wave_id=old_wave.id, centre_id="clb-demo", respondent_id=member.email, now=now
        )
        await services.responses.put(answered, old_wave.id, "clb-demo", member.email)
    old_centre = filled_response(
        old_q, wave_id=old_wave.id, centre_id="clb-demo", respondent_id=DIRECTOR.email, now=now, kind="centre"
    )
    await services.centre_answers.put(old_centre, old_wave.id, "clb-demo")
    old_sq = services.catalog.current(SCHOOLS)
    old_schools_wave = Wave(
        id="scholen-oud",
        name="Scholen oud",
        status="closed",
        created_at=now - timedelta(days=30),
        launched_at=now - timedelta(days=30),
        closed_at=now - timedelta(days=1),
        questionnaire_id=old_sq.id,
        questionnaire_version=old_sq.version,
    )
    await services.waves.put(old_schools_wave, old_schools_wave.id)
    for n in range(1, 4):
        school = school_response(
            old_sq, wave_id=old_schools_wave.id, centre_id="clb-demo", school_id=f"school-{n}", now=now
        )
        await services.responses.put(school, old_schools_wave.id, "clb-demo", f"school-{n}")
    await bot.stop()

    # The content editor adds the new versions, and nothing else changes.
    new_version(content, SELF_SCAN, add_question)
    new_version(content, SCHOOLS, add_statement)
    bot = await start_bot(data, content_dir=content)
    services = bot.poolster.services
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(session, bot.url, connector)
            centre = services.registry.centre("clb-demo")

            # The old waves read with their own version: no new question, no new statement.
            assert services.questionnaire_of(old_wave).version == "2025-1"
            old_tables = build_tables(
                old_q,
                services.registry,
                old_wave,
                [old_centre],
                await services.member_responses(old_wave.id, "clb-demo"),
            )
            assert not any("Steun gewenst" in c.header for t in old_tables for c in t.columns)
            assert any("Huidig stadium" in c.header for t in old_tables for c in t.columns)
            assert "Steun gewenst" not in render_html(await report_input(services, old_wave, centre))
            old_school_tables = build_tables(
                old_sq,
                services.registry,
                old_schools_wave,
                [],
                await services.responses.list(old_schools_wave.id, "clb-demo"),
            )
            assert not any("Stelling 11" in c.header for t in old_school_tables for c in t.columns)
            assert "Stelling 4" in str([c.header for t in old_school_tables for c in t.columns])

            # POC+ closes the old self-scan and launches a new one: it runs the new version.
            await teams.say(ADMIN, f"sluit ronde {old_wave.name}")
            confirm = new_card(await teams.say(ADMIN, "nieuwe ronde Zelfscan 2027 tot 30-06-2027"))
            await teams.press(ADMIN, confirm, "Lanceer")
            await bot.poolster.outbox.idle()
            (new_wave,) = [w for w in await services.waves.list() if w.name == "Zelfscan 2027"]
            assert new_wave.questionnaire_version == "2026-1"

            # The member is asked the new question, and it is checked like any of its type.
            card = await start(teams, MO)
            situation = {"current_stadium": "planmatig", "intention": "geintegreerd"}
            card = await answer_page(teams, MO, card, situation)
            assert "ondersteuning" in inputs_of(card.card)
            refused = await teams.press(MO, card, "Bewaar", {**CONTEXT, "ondersteuning": "vorming,geen"})
            assert "‘neen’ kan niet samen" in card_title(new_card(refused))
            card = await answer_page(teams, MO, card, {**CONTEXT, "ondersteuning": "vorming,intervisie"})
            for _ in range(len(old_q.units) - 1):
                card = await answer_page(teams, MO, card, situation)
                card = await answer_page(teams, MO, card, {**CONTEXT, "ondersteuning": "vorming"})
            closing = new_card(await teams.press(MO, card, "slotvragen"))
            confirm = new_card(await teams.press(MO, closing, "verzenden", CLOSING))
            await teams.press(MO, confirm, "Definitief verzenden")
            answered = await services.responses.get(new_wave.id, "clb-demo", MO.email)
            assert answered.is_submitted and answered.questionnaire_version == "2026-1"
            assert answered.answer("behartiger", "ondersteuning").choices == ("vorming", "intervisie")
            assert "Steun gewenst" in str(new_card(await teams.say(MO, "overzicht")).card)

            # The director's Teamoverzicht counts it; the report and the export show it.
            await teams.say(DIRECTOR, "team")
            await bot.poolster.summaries.idle()
            overview = [c.card for c in connector.calls if c.card and "Teamoverzicht" in str(c.card)][-1]
            assert "Steun gewenst" in str(overview)
            q2 = services.questionnaire_of(new_wave)
            centre_answer = filled_response(
                q2,
                wave_id=new_wave.id,
                centre_id="clb-demo",
                respondent_id=DIRECTOR.email,
                now=services.clock(),
                kind="centre",
                context={"ondersteuning": "vorming"},
            )
            await services.centre_answers.put(centre_answer, new_wave.id, "clb-demo")
            assert "Steun gewenst" in render_html(await report_input(services, new_wave, centre))
            tables = build_tables(
                q2,
                services.registry,
                new_wave,
                [centre_answer],
                await services.member_responses(new_wave.id, "clb-demo"),
            )
            assert any(c.header.startswith("Steun gewenst") for t in tables for c in t.columns)

            # The director questions the schools: the new statement is asked, counted and exported.
            confirm = new_card(await teams.say(DIRECTOR, "bevraag de scholen tot 30-06-2027"))
            await teams.press(DIRECTOR, confirm, "Lanceer")
            await bot.poolster.outbox.idle()
            (schools_wave,) = [
                w for w in await services.waves.list() if w.questionnaire_id == SCHOOLS and w.status == "open"
            ]
            sq = services.questionnaire_of(schools_wave)
            assert sq.version == "2026-1"
            first = new_card(await teams.press(CONTACTS[0], new_card(await teams.say(CONTACTS[0], "hallo")), "Start"))
            assert "stellingen_s11" in inputs_of(first.card)
            for n in range(1, 5):
                school = school_response(
                    sq, wave_id=schools_wave.id, centre_id="clb-demo", school_id=f"school-{n}", now=services.clock()
                )
                await services.responses.put(school, schools_wave.id, "clb-demo", f"school-{n}")
            await teams.say(ADMIN, f"sluit ronde {schools_wave.name}")
            assert "Informeren ons tijdig" in str(new_card(await teams.say(DIRECTOR, "scholen")).card)
            assert "Informeren ons tijdig" in str(
                new_card(await teams.say(ADMIN, f"resultaten {schools_wave.name}")).card
            )
            assert "Informeren ons tijdig" in render_html(await report_input(services, new_wave, centre))
            school_tables = build_tables(
                sq, services.registry, schools_wave, [], await services.responses.list(schools_wave.id, "clb-demo")
            )
            assert any("Stelling 11" in c.header for t in school_tables for c in t.columns)
            assert "export" in texts_in(await teams.say(ADMIN, f"export {old_wave.name}")).lower()
        await bot.poolster.outbox.idle()
        await bot.poolster.summaries.idle()
    finally:
        await bot.stop()
