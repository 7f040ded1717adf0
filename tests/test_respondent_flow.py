"""A team member completes the self-scan in Teams: end to end over HTTP with a fake connector."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest

from survey.progress import next_step
from tests.support.content import self_scan
from tests.support.harness import (
    DIRECTOR,
    MEMBERS,
    SCHOOL_CONTACTS,
    STRANGER,
    open_schools_wave,
    registry_with_schools,
    start_bot,
    write_registry,
)
from tests.support.scripts import (
    CLOSING,
    CONTEXT,
    SITUERING,
    answer_bouwstenen,
    answer_page,
    card_title,
    complete_survey,
    new_card,
    start,
)
from tests.support.teams import TeamsClient, inputs_of, iter_elements, required_left_empty, submit_actions, texts_in

MO = MEMBERS[0]
Q = self_scan()


async def stored(bot, user):
    services = bot.poolster.services
    wave = await services.current_wave("clb-demo")
    return await services.responses.get(wave.id, "clb-demo", user.email)


async def test_a_member_completes_the_whole_survey(teams, bot, connector):
    intro = new_card(await teams.say(MO, "Hallo!"))
    text = card_title(intro)
    assert "fragmentair" in text.lower() and "systematisch" in text.lower()
    assert "Dina Directeur" in str(intro.card), "the intro says who sees the answers"

    first = new_card(await teams.press(MO, intro, "Start"))
    assert "Behartiger van de leerling" in card_title(first)
    assert "Op welke wijze is ons centrum vandaag bezig met" in str(first.card)

    overview = await answer_bouwstenen(teams, MO, first, 11)
    assert "Verder naar de slotvragen" in str(overview.card)
    closing = new_card(await teams.press(MO, overview, "slotvragen"))
    assert "Prioriteit 1" in str(closing.card)
    confirm = new_card(await teams.press(MO, closing, "verzenden", CLOSING))
    assert "definitief" in str(confirm.card).lower()
    done = await teams.press(MO, confirm, "Definitief verzenden")
    assert connector.updates(MO.conversation_id), "the confirmation card is replaced after sending"

    response = await stored(bot, MO)
    assert response.is_submitted
    assert len(response.answers) == 11
    for answers in response.answers.values():
        assert answers["current_stadium"].choices == ("planmatig",)
        assert answers["intention"].choices == ("geintegreerd",)
        assert answers["hefbomen"].choices == ("missie_visie", "mensen_cultuur")
        assert answers["differences"].other_text == "tussen de regio's"
    assert response.final_answer("priorities").choices == ("teamwerk", "plg", "behartiger")
    assert response.final_answer("inspiring_practices").choices == ("preventie",)
    assert "Prioriteiten" in str(done[-1].card) or "prioriteit" in str(done[-1].card).lower()

    # Locked afterwards: a change is refused, viewing still works.
    refused = await teams.say(MO, "wijzig 3")
    assert "definitief verzonden" in texts_in(refused)
    overview_again = new_card(await teams.say(MO, "overzicht"))
    assert "Behartiger van de leerling" in str(overview_again.card)


async def test_every_answer_survives_a_restart_halfway(data_dir, connector):
    running = await start_bot(data_dir)
    async with aiohttp.ClientSession() as session:
        teams = TeamsClient(session, running.url, connector)
        card = await start(teams, MO)
        card = await answer_bouwstenen(teams, MO, card, 4)
        card = await answer_page(teams, MO, card, {"current_stadium": "systematisch", "intention": "aanhouden"})
    await running.stop()

    running = await start_bot(data_dir)
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(session, running.url, connector)
            calls = await teams.say(MO, "verder")
            resumed = new_card(calls)
            assert [c.activity_id for c in calls if c.method == "PUT"] == [card.activity_id], (
                "the live card from before the restart is retired"
            )
            assert "Preventie" not in card_title(resumed)
            assert "Bouwsteen 5" in card_title(resumed), card_title(resumed)
            response = await stored(running, MO)
            assert len([b for b in response.answers if response.is_unit_answered(Q, b)]) == 4
            assert response.answer("partnerschap_intern", "current_stadium").choices == ("systematisch",)
            step = next_step(Q, response)
            assert (step.unit_id, step.page) == ("partnerschap_intern", "context")
    finally:
        await running.stop()


def requests_in(connector, user, since: int) -> list[tuple[str, str]]:
    """The requests that reached Teams for this user's chat since a moment."""
    return [r for r in connector.requests[since:] if f"/{user.conversation_id}/" in r[1] + "/"]


def following(card: dict, element_id: str) -> dict:
    """The element right after the one with this id, in the same list (an error message, a toggle)."""
    for element in iter_elements(card):
        for key in ("items", "body"):
            items = element.get(key) if isinstance(element.get(key), list) else []
            for index, item in enumerate(items[:-1]):
                if isinstance(item, dict) and item.get("id") == element_id:
                    return items[index + 1]
    raise AssertionError(f"nothing follows {element_id}")


def visible(card: dict, element_id: str) -> bool:
    return next(e for e in iter_elements(card) if e.get("id") == element_id).get("isVisible", True)


async def test_one_answer_is_one_request_to_teams_and_the_card_moves_on(teams, bot, connector):
    card = await start(teams, MO)
    for values, expected in ((SITUERING, "deel 2/2"), (CONTEXT, "Bouwsteen 2 van 11")):
        before = len(connector.requests)
        calls = await teams.press(MO, card, "Bewaar", values)
        assert requests_in(connector, MO, before) == [
            ("PUT", f"/v3/conversations/{MO.conversation_id}/activities/{card.activity_id}")
        ], "one answer: the answered card is updated to the next page, nothing else is sent"
        moved = new_card(calls)
        assert moved.activity_id == card.activity_id and expected in card_title(moved)
        card = moved
    assert "✔ Bouwsteen 1 bewaard" in card_title(card), "what was saved is said on the card that moved on"
    assert "planmatig → geïntegreerd" in card_title(card)

    # A mistake: the same card comes back, in one request, with the message at the field.
    before = len(connector.requests)
    calls = await teams.press(MO, card, "Bewaar", {"current_stadium": "geintegreerd", "intention": "planmatig"})
    assert len(requests_in(connector, MO, before)) == 1 and new_card(calls).activity_id == card.activity_id
    assert not [c for c in calls if c.text], "no chat message beside the card"


async def test_a_typed_command_brings_the_card_down_and_retires_the_old_one(teams, bot, connector):
    card = await start(teams, MO)
    for typed in ("verder", "overzicht", "wijzig 1"):
        before = len(connector.requests)
        calls = await teams.say(MO, typed)
        fresh = new_card(calls)
        retired = [c for c in calls if c.method == "PUT"]
        assert [c.activity_id for c in retired] == [card.activity_id], "the card that was live is retired"
        assert "vervangen" in card_title(retired[0]) and not submit_actions(retired[0].card), "nothing stale"
        assert len(requests_in(connector, MO, before)) == 2, "a typed command: the new card and the retirement"
        card = fresh
    # Help and progress are asides: the live card stays live.
    calls = await teams.say(MO, "voortgang")
    assert not [c for c in calls if c.method == "PUT"]
    before = len(connector.requests)
    moved = await answer_page(teams, MO, card, SITUERING)
    assert moved.activity_id == card.activity_id and len(requests_in(connector, MO, before)) == 1


async def test_a_card_that_cannot_be_updated_comes_again_as_a_new_message(teams, bot, connector):
    card = await start(teams, MO)
    connector.gone_activities.add(card.activity_id)
    before = len(connector.requests)
    calls = await teams.press(MO, card, "Bewaar", SITUERING)
    assert [method for method, _ in requests_in(connector, MO, before)] == ["PUT", "POST"], (
        "the failed update, then the new card; the gone card is not retired again"
    )
    sent = new_card(calls)
    assert sent.method == "POST" and sent.activity_id != card.activity_id
    assert "deel 2/2" in card_title(sent)
    context = await answer_page(teams, MO, sent, CONTEXT)
    assert context.activity_id == sent.activity_id, "the new card is the one that moves on from then on"
    response = await stored(bot, MO)
    assert response.is_unit_answered(Q, "behartiger")


async def test_invalid_answers_are_explained_at_their_field_and_nothing_changes(teams, bot):
    card = await start(teams, MO)
    calls = await teams.press(MO, card, "Bewaar", {"current_stadium": "geintegreerd", "intention": "planmatig"})
    again = new_card(calls)
    message = following(again.card, "intention")["text"]
    assert message.startswith("Ambitie: ") and "geen stap vooruit" in message and len(message) < 140
    assert inputs_of(again.card)["current_stadium"]["value"] == "geintegreerd", "the user's answers are kept"
    assert inputs_of(again.card)["intention"]["value"] == "planmatig"
    assert visible(again.card, "level-behartiger-geintegreerd"), "the description of the chosen stadium is open"
    assert "Nog niet bewaard" in card_title(again)
    response = await stored(bot, MO)
    assert not response.answers

    context = await answer_page(teams, MO, again, {"intention": "systematisch"})
    calls = await teams.press(
        MO,
        context,
        "Bewaar",
        {**CONTEXT, "hefbomen": ["geen", "mensen_cultuur"], "hefbomen_explanation": "Onze uitleg"},
    )
    shown = new_card(calls).card
    assert following(shown, "hefbomen")["text"] == (
        "Hefbomen: ‘neen’ kan niet samen met een ander antwoord — vink één van beide uit."
    )
    assert visible(shown, "hefbomen_explanation-section"), "a toelichting that holds text stays open"
    assert inputs_of(shown)["hefbomen_explanation"]["value"] == "Onze uitleg"
    assert not visible(shown, "knelpunten_explanation-section"), "an empty toelichting stays closed"
    problems = {
        "differences": ({"differences": ["nee", "teams"]}, "Verschillen: ‘nee’ kan niet samen"),
        "differences_other": ({"differences_other": ""}, "Verschillen: vul aan"),
        "deliberate_choice_explanation": ({"deliberate_choice_explanation": "x" * 2001}, "te lang"),
        "knelpunten": ({"knelpunten": "hacked"}, "geen geldige keuze"),
        "deliberate_choice": ({"deliberate_choice": ""}, "Welbewuste keuze: kies een antwoord"),
    }
    for field, (values, message) in problems.items():
        shown = new_card(await teams.press(MO, context, "Bewaar", {**CONTEXT, **values})).card
        at_field = [e["text"] for e in iter_elements(shown) if e.get("color") == "Attention"]
        assert any(message in text for text in at_field), (field, at_field)
        if field.endswith(("_other", "_explanation")):
            assert visible(shown, f"{field}-section"), f"{field} is opened where the message is"
    response = await stored(bot, MO)
    assert not response.is_page_answered(Q, "behartiger", "context")
    assert response.answer("behartiger", "intention").choices == ("systematisch",)


async def test_any_text_is_kept_verbatim_and_cards_stay_intact(teams, bot):
    hostile = 'Zeg "hoi" {{DATE(2017-02-14T06:08:39Z,SHORT)}} <at>Poolster</at> </script> \u202eRTL 🎉\nregel 2 **vet** [link](http://x)'
    card = await start(teams, MO)
    context = await answer_page(teams, MO, card, SITUERING)
    following = await answer_page(teams, MO, context, {**CONTEXT, "hefbomen_explanation": hostile})
    response = await stored(bot, MO)
    assert response.answer("behartiger", "hefbomen").explanation == hostile
    overview = new_card(await teams.say(MO, "overzicht"))
    assert overview.card["type"] == "AdaptiveCard"
    assert following.card["type"] == "AdaptiveCard"


async def test_old_cards_and_double_clicks_never_corrupt_progress(teams, bot, connector):
    card = await start(teams, MO)
    copy = new_card(await teams.say(MO, "verder"))
    assert copy.activity_id != card.activity_id, "typing verder sends the same page again"
    # A double click: the same card submitted twice at the same time.
    first, second = await asyncio.gather(
        teams.press(MO, card, "Bewaar", SITUERING), teams.press(MO, card, "Bewaar", SITUERING)
    )
    assert not [c for c in first + second if c.method == "POST"], "no second card"
    assert "al bewaard" in texts_in(first + second)
    context = new_card(second)
    assert "deel 2/2" in card_title(context), "both presses leave the card at part 2"
    after = await answer_page(teams, MO, context, CONTEXT)
    assert "Bouwsteen 2" in card_title(after)
    response = await stored(bot, MO)
    assert response.revision == 3, "started, part 1 once, part 2"

    # The copy still shows part 1: another answer there is taken as a change, said on that card.
    calls = await teams.press(MO, copy, "Bewaar", {"current_stadium": "fragmentair", "intention": "aanhouden"})
    assert "aangepast" in texts_in(calls)
    response = await stored(bot, MO)
    assert response.answer("behartiger", "current_stadium").choices == ("fragmentair",)
    assert response.is_unit_answered(Q, "behartiger")
    assert "Bouwsteen 2" in card_title(new_card(calls)), "the copy moves on to where the person is"


async def test_change_a_bouwsteen_from_the_overview(teams, bot):
    card = await start(teams, MO)
    overview = await answer_bouwstenen(teams, MO, card, 11)
    saved = card_title(overview)
    assert "✔ Bouwsteen 11 bewaard" in saved and "Typ *overzicht*" not in saved, "the overview is in sight already"
    edit = new_card(await teams.press(MO, overview, "Wijzig"))
    assert "Behartiger" in card_title(edit)
    context = await answer_page(teams, MO, edit, {"current_stadium": "fragmentair", "intention": "systematisch"})
    back = await answer_page(teams, MO, context, CONTEXT)
    assert "slotvragen" in str(back.card)
    response = await stored(bot, MO)
    assert response.answer("behartiger", "intention").choices == ("systematisch",)
    assert response.editing is None


async def test_commands_work_at_any_moment(teams, bot):
    card = await start(teams, MO)
    await answer_bouwstenen(teams, MO, card, 2)
    help_card = new_card(await teams.say(MO, "HELP"))
    assert "voortgang" in str(help_card.card)
    progress = new_card(await teams.say(MO, "voortgnag"))
    assert "2 van 11" in str(progress.card)
    assert "Preventie" in str(progress.card), "what is left is listed"
    assert "bewaard" in texts_in(await teams.say(MO, "pauze"))
    assert "bewaard" in texts_in(await teams.say(MO, "later"))
    resumed = new_card(await teams.say(MO, "Verder"))
    assert "Bouwsteen 3" in card_title(resumed)
    edit = new_card(await teams.say(MO, "wijzig preventie"))
    assert "Preventie" in card_title(edit)
    edit = new_card(await teams.say(MO, "wijzig 1"))
    assert "Behartiger" in card_title(edit)
    glossary = texts_in(await teams.say(MO, "wat is LARS?"))
    assert "LARS" in glossary and len(glossary) > 20
    hint = texts_in(await teams.say(MO, "blablabla"))
    assert "help" in hint and "verder" in hint


async def test_someone_outside_the_registry_is_turned_away(teams):
    calls = await teams.say(STRANGER, "hallo")
    assert "POC+" in texts_in(calls)
    assert not [c for c in calls if c.card]
    calls = await teams.say(STRANGER, "verder")
    assert "POC+" in texts_in(calls)


async def test_a_completed_survey_from_start_to_submission_by_script(teams, bot):
    await complete_survey(teams, MEMBERS[1])
    response = await stored(bot, MEMBERS[1])
    assert response.is_submitted


async def test_in_a_channel_the_survey_points_to_the_personal_chat(teams, connector):
    calls = await teams.say(
        MO,
        "<at>Poolster</at> verder",
        conversation_id="19:channel@thread.tacv2",
        conversation_type="channel",
        entities=[
            {"type": "mention", "text": "<at>Poolster</at>", "mentioned": {"id": "28:poolster-bot", "name": "Poolster"}}
        ],
    )
    assert "persoonlijke chat" in texts_in(calls)
    assert not [c for c in calls if c.card]


async def test_the_overview_says_what_is_open_and_opens_it(teams, bot):
    card = await start(teams, MO)
    card = await answer_bouwstenen(teams, MO, card, 1)
    await answer_page(teams, MO, card, SITUERING)
    overview = new_card(await teams.say(MO, "overzicht"))
    buttons = [action["title"] for action in submit_actions(overview.card)]
    assert buttons.count("Wijzig") == 1 and buttons.count("Beantwoorden") == 10, "no Wijzig beside open ones"
    assert "Planmatig → geïntegreerd · deel 2 nog open" in card_title(overview)
    titles = [e["text"] for e in iter_elements(overview.card) if e.get("type") == "TextBlock"]
    assert not [t for t in titles if re.match(r"\d+\. ", t)], "a numbered title would render as an indented list"
    details = str(overview.card)
    assert "Welbewuste keuze" in details and "Hefbomen" in details and "…vandaag met" not in details
    opened = next(e for e in iter_elements(overview.card) if e.get("id") == "overview-behartiger")
    assert opened["spacing"] == "Small", "opened details do not stick to the line above them"

    part_two = new_card(await teams.press(MO, overview, "Beantwoorden"))
    assert part_two.activity_id == overview.activity_id, "the overview moves on to the bouwsteen"
    assert "Bouwsteen 2 van 11 · deel 2/2" in card_title(part_two), "only part 2 was open"
    after = await answer_page(teams, MO, part_two, CONTEXT)
    assert "Bouwsteen 3 van 11 · deel 1/2" in card_title(after)


async def test_pause_moves_the_card_to_a_pause_and_back(teams, bot):
    card = await start(teams, MO)
    paused = new_card(await teams.press(MO, card, "Pauzeer"))
    assert paused.activity_id == card.activity_id and "Gepauzeerd" in card_title(paused)
    again = new_card(await teams.press(MO, paused, "Ga verder"))
    assert "Bouwsteen 1 van 11" in card_title(again)


async def test_pause_and_back_work_halfway_a_card_as_teams_sends_them(teams, bot):
    card = await start(teams, MO)
    # Teams refuses to send a card with a required question left open, and sends every input along.
    assert required_left_empty(card.card, "Bewaar") == ["current_stadium", "intention"]
    assert required_left_empty(card.card, "Pauzeer") == [], "nothing chosen yet: Pauzeer still works"
    paused = new_card(await teams.press(MO, card, "Pauzeer", {"current_stadium": "planmatig"}))
    assert "Gepauzeerd" in card_title(paused), "half chosen: Pauzeer is not refused as unknown data"

    overview = await answer_bouwstenen(teams, MO, new_card(await teams.press(MO, paused, "Ga verder")), 11)
    closing = new_card(await teams.press(MO, overview, "slotvragen"))
    assert required_left_empty(closing.card, "Terug naar het overzicht") == []
    back = new_card(await teams.press(MO, closing, "Terug naar het overzicht", {"priorities_1": "plg"}))
    assert "Overzicht van je antwoorden" in card_title(back)


async def test_people_are_understood_in_their_own_words(teams, bot):
    intro = new_card(await teams.say(MO, "hallo"))
    assert card_title(intro).startswith("Hallo Mo!"), "the intro opens with a greeting"
    await teams.press(MO, intro, "Start")
    assert "Graag gedaan" in texts_in(await teams.say(MO, "bedankt!"))
    assert "Graag gedaan" in texts_in(await teams.say(STRANGER, "Dank je wel"))
    assert "bewaard" in texts_in(await teams.say(MO, "stoppen"))
    for confused in ("hlep", "ik snap het niet"):
        help_card = card_title(new_card(await teams.say(MO, confused)))
        assert "Waar je nu bent: bouwsteen 1" in help_card.replace("**", ""), "help explains the card one is on"
        assert "Twijfel je tussen twee" in help_card and "Wat kan je typen" in help_card
    lever = texts_in(await teams.say(MO, "wat is een hefboom?"))
    assert "organisatiecontext" in lever and "helpt" in lever
    assert "afremt" in texts_in(await teams.say(MO, "Wat zijn knelpunten"))
    assert "PDCA" in texts_in(await teams.say(MO, "wat betekent stadium"))
    unexplained = texts_in(await teams.say(MO, "wat is BOS?"))
    assert "nergens uit" in unexplained and "Waarschijnlijk" not in unexplained and "tucht" in unexplained
    unknown = texts_in(await teams.say(MO, "wat is een flurk?"))
    assert "ken ik niet" in unknown and "hefboom" in unknown
    assert unknown.startswith("‘flurk’ ken ik niet"), "the word asked about, without its article"
    echoed = texts_in(await teams.say(MO, "wat is **vet** [x](http://y)?"))
    assert "ken ik niet" in echoed and "**vet**" not in echoed and "](" not in echoed, "what was typed stays literal"


async def test_my_data_is_said_in_plain_words(teams, bot):
    member = texts_in(await teams.say(MO, "mijn gegevens"))
    assert "je directeur (Dina Directeur)" in member and "Bewaartermijn" in member
    director = texts_in(await teams.say(DIRECTOR, "mijn gegevens"))
    assert "Wie je antwoorden ziet: jij en POC+" in director, "a director is not their own director"
    for text in (member, director):
        assert "docs/" not in text and ".md" not in text and "Azure AD" not in text


# ----- the schools' survey, answered by a school's contacts -------------------------------------------

SARA, TOM, ILSE = SCHOOL_CONTACTS


def attention(card: dict) -> list[str]:
    return [e["text"] for e in iter_elements(card) if e.get("color") == "Attention"]


@pytest.fixture
def schools_data(tmp_path):
    folder = tmp_path / "data"
    write_registry(folder, registry_with_schools())
    return folder


async def test_a_school_answers_the_schools_survey_and_a_colleague_goes_on_with_it(schools_data, connector):
    running = await start_bot(schools_data)
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(session, running.url, connector)
            services = running.poolster.services
            wave = await open_schools_wave(services)
            q = services.questionnaire_of(wave)
            agreement = next(question for question in q.questions if question.type == "agreement")
            comment = next(question for question in q.questions if question.type == "free_text")
            final = q.final.questions[0]

            def rated(unit, level="eerder_wel") -> dict:
                return {f"{agreement.id}_{s.id}": level for s in unit.statements}

            async def school_response():
                return await services.responses.get(wave.id, "clb-demo", "bs-de-linde")

            intro = new_card(await teams.say(SARA, "Hallo"))
            title = card_title(intro)
            assert title.startswith("Hallo Sara!") and "Basisschool De Linde" in title and "GO! CLB Demo" in title
            assert "bouwsteen" not in str(intro.card).lower() and "stadi" not in str(intro.card).lower()
            assert "pas nadat de bevraging gesloten is" in title and "POC+" in title, "who sees what is said in full"

            card = new_card(await teams.press(SARA, intro, "Start"))
            first = q.units[0]
            assert f"Thema 1 van {len(q.units)}" in card_title(card) and first.title in card_title(card)
            assert "deel 1" not in card_title(card), "one page per theme: no parts"
            fields = inputs_of(card.card)
            for statement in first.statements:
                field = fields[f"{agreement.id}_{statement.id}"]
                assert field["label"].replace("\u200b", "").startswith(f"{statement.number}. ")
                assert [c["value"] for c in field["choices"]] == list(q.scale_of(agreement).answer_ids)
            assert required_left_empty(card.card, "Bewaar") == [f"{agreement.id}_{s.id}" for s in first.statements]

            # A value that is not on the scale: a Dutch message at that statement, nothing stored.
            forged = {**rated(first), f"{agreement.id}_{first.statements[0].id}": "heel_erg"}
            again = new_card(await teams.press(SARA, card, "Bewaar", forged))
            assert again.activity_id == card.activity_id
            assert any(
                f"Stelling {first.statements[0].number}: dat is geen geldige keuze" in t for t in attention(again.card)
            ), attention(again.card)
            assert "heel_erg" not in texts_in([again])
            response = await school_response()
            assert response is None or not response.answers, "nothing stored"

            # An input the page does not have is not one of our cards: refused, nothing stored.
            refused = await teams.press(SARA, again, "Bewaar", {**rated(first), "current_stadium": "planmatig"})
            assert "niets gewijzigd" in texts_in(refused)

            # Two themes by Sara (a comment with the first), then she pauses.
            card = await answer_page(teams, SARA, again, {**rated(first), comment.id: "Goede samenwerking"})
            assert "✔ Thema 1 bewaard" in card_title(card)
            card = await answer_page(teams, SARA, card, rated(q.units[1], "nvt"))
            assert "Gepauzeerd" in card_title(new_card(await teams.press(SARA, card, "Pauzeer")))
            progress = new_card(await teams.say(SARA, "voortgang"))
            assert f"2 van {len(q.units)}" in card_title(progress) and "thema's" in card_title(progress)
            for clb_command in ("team", "centrum"):
                told = texts_in(await teams.say(SARA, clb_command))
                assert "alleen de directeur van het CLB" in told and "typ *verder*" in told, clb_command
            assert "beheerders van Poolster (POC+)" in texts_in(await teams.say(SARA, "status"))

            # Tom, of the same school, goes on where the school is.
            tom_card = new_card(await teams.press(TOM, new_card(await teams.say(TOM, "hallo")), "Ga verder"))
            assert f"Thema 3 van {len(q.units)}" in card_title(tom_card)
            help_card = card_title(new_card(await teams.say(TOM, "help")))
            assert "thema 3" in help_card and "hoe akkoord je bent" in help_card and "stadium" not in help_card
            for unit in q.units[2:]:
                tom_card = await answer_page(teams, TOM, tom_card, rated(unit, "helemaal"))
            overview = tom_card
            assert "Antwoorden van Basisschool De Linde" in card_title(overview)
            assert "Verder naar de laatste vraag" in str(overview.card)
            assert f"{len(first.statements)} stellingen beantwoord" in card_title(overview), "each theme in one line"
            assert (
                f"{len(q.units[1].statements)} stellingen beantwoord ({len(q.units[1].statements)} niet van "
                "toepassing)" in card_title(overview)
            )

            # A change: the first theme, its answers shown again.
            edit = new_card(await teams.press(TOM, overview, "Wijzig"))
            assert first.title in card_title(edit)
            field = f"{agreement.id}_{first.statements[0].id}"
            assert inputs_of(edit.card)[field]["value"] == "eerder_wel"
            assert inputs_of(edit.card)[comment.id]["value"] == "Goede samenwerking"
            back = await answer_page(teams, TOM, edit, {field: "eerder_niet"})
            assert "laatste vraag" in str(back.card)

            closing = new_card(await teams.press(TOM, back, "laatste vraag"))
            assert q.final.title in card_title(closing)
            confirm = new_card(await teams.press(TOM, closing, "verzenden", {final.id: "Wisselend personeel"}))
            assert "Wisselend personeel" in str(confirm.card)
            done = new_card(await teams.press(TOM, confirm, "Definitief verzenden"))
            assert "Bedankt" in card_title(done) and "Basisschool De Linde" in card_title(done)

            response = await school_response()
            assert response.is_submitted and response.kind == "school"
            assert (response.respondent_id, response.respondent_name) == ("bs-de-linde", "Basisschool De Linde")
            assert (response.questionnaire_id, response.questionnaire_version) == (q.id, q.version)
            assert response.answer(first.id, agreement.id).ratings[first.statements[0].id] == "eerder_niet"
            assert set(response.answer(q.units[1].id, agreement.id).ratings.values()) == {"nvt"}
            assert response.answer(first.id, comment.id).text == "Goede samenwerking"
            assert response.final_answer(final.id).text == "Wisselend personeel"
            assert "definitief verzonden" in texts_in(await teams.say(SARA, "wijzig 1")), "sent for the school"
            assert await services.responses.get(wave.id, "clb-demo", "atheneum-demo") is None, "another school apart"

            # A member of the centre answers the self-scan, never the schools' survey.
            member_intro = new_card(await teams.say(MO, "hallo"))
            assert "poolster-CLB in beeld" in card_title(member_intro)
            member_card = new_card(await teams.press(MO, member_intro, "Start"))
            assert "Bouwsteen 1 van 11" in card_title(member_card)
            assert await services.responses.get(wave.id, "clb-demo", MO.email) is None
            assert "Bevraging scholen" not in texts_in(await teams.say(MO, "overzicht"))
    finally:
        await running.stop()


async def test_a_school_contact_without_a_wave_is_greeted_with_their_school(schools_data, connector):
    running = await start_bot(schools_data)
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(session, running.url, connector)
            greeting = texts_in(await teams.say(ILSE, "hallo"))
            assert "Ilse" in greeting and "Atheneum Demo" in greeting and "GO! CLB Demo" in greeting
            assert "geen bevraging" in greeting and "POC+ om je toe te voegen" not in greeting
            assert "POC+" in texts_in(await teams.say(STRANGER, "hallo")), "someone unknown is still not registered"
            mine = texts_in(await teams.say(ILSE, "mijn gegevens"))
            assert "contactpersoon van Atheneum Demo" in mine and "pas nadat de bevraging gesloten is" in mine
    finally:
        await running.stop()


async def test_answers_stored_before_questionnaires_were_data_load_and_go_on(teams, bot, connector):
    services = bot.poolster.services
    wave = await services.current_wave("clb-demo")
    answer = {"choices": ["welbewust"], "other_text": "", "explanation": ""}
    old = {
        "wave_id": wave.id,
        "centre_id": "clb-demo",
        "respondent_id": MO.email,
        "respondent_name": MO.name,
        "kind": "member",
        "revision": 30,
        "started_at": "2026-11-20T09:00:00+00:00",
        "answers": {
            unit.id: {
                "current_stadium": {"choices": ["planmatig"], "other_text": "", "explanation": ""},
                "intention": {"choices": ["aanhouden"], "other_text": "", "explanation": ""},
                "deliberate_choice": answer,
                "hefbomen": {**answer, "choices": ["geen"]},
                "knelpunten": {**answer, "choices": ["geen"]},
                "differences": {**answer, "choices": ["nee"]},
            }
            for unit in Q.units
        },
        "closing": {
            "inspiring_practices": [],
            "no_inspiring_practice": True,
            "priorities": ["plg", "preventie", "teamwerk"],
        },
    }
    await services.store.write({services.responses.key(wave.id, "clb-demo", MO.email): {**old, "e_tag": "*"}})

    confirm = new_card(await teams.say(MO, "verder"))
    shown = card_title(confirm) + str(confirm.card)
    assert "Klaar om te verzenden" in shown and "nog niet op dat punt" in shown
    assert "Ontwikkeling als professionele leergemeenschap (PLG)" in shown, "the old priorities, read"
    edit = new_card(await teams.say(MO, "wijzig 2"))
    back = await answer_page(teams, MO, edit, {"current_stadium": "fragmentair", "intention": "planmatig"})
    await answer_page(teams, MO, back, {})
    confirm = new_card(await teams.say(MO, "verder"))
    await teams.press(MO, confirm, "Definitief verzenden")
    response = await stored(bot, MO)
    assert response.is_submitted and response.questionnaire_id == Q.id and response.questionnaire_version == "2025-1"
    assert response.final_answer("priorities").choices == ("plg", "preventie", "teamwerk")
    assert response.final_answer("inspiring_practices").declined
    assert response.answer("kernprocessen", "current_stadium").choices == ("fragmentair",)
