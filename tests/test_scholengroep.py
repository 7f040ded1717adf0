"""The centre's answer sent: the Teamoverzicht says so and offers the report, the report downloads as a
PDF, and the scholengroep's contacts of that centre (and only theirs) receive the results."""

from __future__ import annotations

import asyncio
import subprocess

import aiohttp
import pytest

from app import main
from tests.support.harness import DIRECTOR, MEMBERS, OTHER_DIRECTOR, STRANGER, registry_document, write_registry
from tests.support.scripts import SITUERING, answer_bouwstenen, complete_survey, new_card
from tests.support.teams import TeamsUser, find_action, iter_elements, texts_in

MO, LEA, SAM = MEMBERS
ANNA = TeamsUser("Anna Algemeen", "anna.algemeen@scholengroep.example", "aad-anna")
DIRECTOR_CHAT = f"personal-{DIRECTOR.aad_object_id}"
ANNA_CHAT = f"personal-{ANNA.aad_object_id}"


@pytest.fixture
def data_dir(tmp_path):
    document = registry_document()
    demo = document["centres"][0]
    demo["scholengroep"] = "Scholengroep Rivierenland"
    demo["scholengroep_contacts"] = [
        {"name": ANNA.name, "email": ANNA.email, "aad_object_id": ANNA.aad_object_id, "role": "AD"},
        # Known by e-mail only and never spoke to the bot: cannot be reached yet.
        {"name": "Carl Codi", "email": "carl.codi@scholengroep.example", "role": "CODI"},
    ]
    folder = tmp_path / "data"
    write_registry(folder, document)
    return folder


def lines_of(card: dict) -> list[str]:
    return [e["text"] for e in iter_elements(card) if e.get("type") == "TextBlock"]


async def submit_centre_answer(teams, bot):
    for member in (MO, LEA, SAM):
        await complete_survey(teams, member)
    page = new_card(await teams.say(DIRECTOR, "centrum"))
    overview = await answer_bouwstenen(teams, DIRECTOR, page, 11, situering=SITUERING, context={})
    closing = new_card(await teams.press(DIRECTOR, overview, "slotvragen"))
    confirm = new_card(await teams.press(DIRECTOR, closing, "verzenden"))
    calls = await teams.press(DIRECTOR, confirm, "Definitief verzenden")
    await bot.poolster.summaries.idle()
    await bot.poolster.scholengroep.idle()
    await bot.poolster.summaries.idle()
    return calls


async def download(url: str) -> tuple[int, str, bytes]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, response.headers.get("Content-Type", ""), await response.read()


async def test_the_sent_answer_reaches_the_card_the_report_and_the_scholengroep(teams, bot, connector, tmp_path):
    connector.add_member(ANNA.as_member())
    await submit_centre_answer(teams, bot)

    summary = connector.updates(DIRECTOR_CHAT)[-1].card
    lines = lines_of(summary)
    assert any(line.startswith("✔ Verzonden op ") and line.endswith("door Dina Directeur.") for line in lines)
    assert "De scholengroep kreeg het rapport: Anna Algemeen (AD)." in lines, "only the contact who was reached"
    titles = [a["title"] for a in iter_elements(summary) if a.get("type") == "Action.Submit"]
    assert "Rapport downloaden (pdf)" in titles and "Antwoord van het centrum invullen" not in titles

    # The card that brings the report: a fresh, signed link to a PDF with the centre's answer.
    link_card = new_card(await teams.press(DIRECTOR, connector.updates(DIRECTOR_CHAT)[-1], "Rapport downloaden"))
    url = next(a["url"] for a in iter_elements(link_card.card) if a.get("type") == "Action.OpenUrl")
    assert "/reports/" in url
    status, content_type, pdf = await download(url.replace("http://127.0.0.1:3978", bot.url))
    assert status == 200 and content_type == "application/pdf" and pdf.startswith(b"%PDF-")
    (tmp_path / "r.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
    assert "GO! CLB Demo" in text and "3 van 4 teamleden" in text and "planmatig → geïntegreerd" in text
    forged = url.rsplit(".", 1)[0] + ".0000"
    status, _, body = await download(forged.replace("http://127.0.0.1:3978", bot.url))
    assert status == 403 and "rapport" in body.decode()

    # The scholengroep's contact: the results, never a member's answers, and the report on request.
    received = [c for c in connector.sends(ANNA_CHAT) if c.card]
    assert len(received) == 1
    card = received[0].card
    assert "Zelfscan — GO! CLB Demo" in lines_of(card)[0]
    assert not any(member.name in str(card) for member in MEMBERS), "no member is named"
    calls = await teams.say(ANNA, "hallo")
    assert "Poolster voor de scholengroep" in str(new_card(calls).card)
    calls = await teams.say(ANNA, "rapport")
    assert any(a.get("type") == "Action.OpenUrl" for a in iter_elements(new_card(calls).card))

    # Sent once: a restart does not send it again.
    await bot.poolster.scholengroep.resume()
    await bot.poolster.scholengroep.idle()
    assert len([c for c in connector.sends(ANNA_CHAT) if c.card]) == 1

    # "centrum" after sending says so, with the report; it does not start anything.
    again = new_card(await teams.say(DIRECTOR, "centrum"))
    assert "Het kan niet meer gewijzigd worden" in str(again.card)
    find_action(again.card, "Rapport downloaden")


async def test_only_the_centres_people_get_its_report(teams, bot, connector):
    assert "zodra het antwoord van het centrum verzonden is" in texts_in(await teams.say(DIRECTOR, "rapport"))
    assert "Dit rapport is enkel" in texts_in(await teams.say(MO, "rapport"))
    assert "Dit rapport is enkel" in texts_in(await teams.say(STRANGER, "rapport"))
    wave = await bot.poolster.services.current_wave("clb-demo")
    forged = {"action": "report", "v": 1, "centre": "clb-demo", "wave": wave.id}
    for user in (OTHER_DIRECTOR, MO, STRANGER):
        await teams.post(teams.activity(user, value=forged))
        assert "Dit rapport is enkel" in connector.sends(user.conversation_id)[-1].text


async def test_the_report_from_the_command_line(teams, bot, data_dir, tmp_path, monkeypatch, capsys):
    await complete_survey(teams, DIRECTOR)
    await teams.press(DIRECTOR, new_card(await teams.say(DIRECTOR, "centrum")), "Ja")
    wave = await bot.poolster.services.current_wave("clb-demo")
    await bot.poolster.scholengroep.idle()
    await bot.stop()
    monkeypatch.setenv("POOLSTER_DATA_DIR", str(data_dir))
    out = tmp_path / "uit"

    # The command line runs its own event loop: in a thread, beside the test's.
    def rapport(*arguments: str) -> int:
        return main(["rapport", *arguments])

    assert await asyncio.to_thread(rapport, "--ronde", wave.id, "--centrum", "clb-demo", "--uit", str(out)) == 0
    written = out / f"rapport-{wave.id}-clb-demo.pdf"
    assert written.read_bytes().startswith(b"%PDF-") and f"Geschreven: {written}" in capsys.readouterr().out
    assert await asyncio.to_thread(rapport, "--ronde", wave.id, "--centrum", "clb-andere", "--uit", str(out)) == 1
    assert "nog niet verzonden" in capsys.readouterr().err
    assert await asyncio.to_thread(rapport, "--ronde", "bestaat-niet", "--centrum", "clb-demo") == 1
    assert "niet gevonden" in capsys.readouterr().err


async def test_a_contact_who_types_a_directors_command_is_told_what_they_can_do(teams, bot):
    # Not "you are in no policy team, ask POC+": the centres they follow and how to get the report.
    for command in ("team", "centrum", "eigen"):
        reply = await teams.say(ANNA, command)
        assert "Poolster voor de scholengroep" in str(new_card(reply).card), command
        assert "beleidsteam" not in texts_in(reply), command


async def test_after_sending_the_centres_answer_typed_commands_are_the_directors_own_again(teams, bot):
    await submit_centre_answer(teams, bot)
    progress = new_card(await teams.say(DIRECTOR, "voortgang")).card
    words = " ".join(e.get("text", "") for e in iter_elements(progress) if e.get("type") == "TextBlock")
    assert "Antwoord van het centrum" not in words, "the sent centre answer is no longer what commands act on"
    assert "Je voortgang" in words and "0 van 11" in words
    again = new_card(await teams.say(DIRECTOR, "centrum"))
    assert "Het kan niet meer gewijzigd worden" in str(again.card), "the sent answer stays one word away"
