"""The survey rules, without Teams: validation, navigation, commands, registry, consolidation."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import yaml

from actions.payloads import action_data, parse_payload
from cards.common import first_sentences, sentences, shorten
from cards.respondent import answer_summary, step_help
from dialogs.commands import CommandError, find_glossary, find_unit, parse_command, parse_new_wave
from dialogs.context import Actor, MoveOn, Services
from dialogs.respondent import RespondentDialog
from storage.memory import InMemoryStore
from survey import progress as flow
from survey.answers import InvalidAnswer, QuestionAnswer, Response, validate_final, validate_page
from survey.consolidation import propose, proposed_closing_inputs, proposed_inputs
from survey.questionnaire import CONTENT_DIR, load_catalog
from survey.registry import Centre, RegistryError, load_registry
from survey.summary import situation_text, summarise
from survey.waves import Wave
from tests.support.content import schools_survey, self_scan
from tests.support.harness import registry_document, write_registry

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
Q = self_scan()
B1 = Q.units[0]


def messages(error: InvalidAnswer) -> str:
    return " ".join(e.message for e in error.errors)


def full_context(**override) -> dict:
    return {
        "deliberate_choice": "welbewust",
        "hefbomen": "geen",
        "knelpunten": "mensen_cultuur",
        "differences": "nee",
        **override,
    }


class TestPageValidation:
    def test_a_complete_situering_is_accepted(self):
        answers = validate_page(Q, B1, "situering", {"current_stadium": "planmatig", "intention": "systematisch"})
        assert answers["current_stadium"].choices == ("planmatig",)

    @pytest.mark.parametrize(
        "current,intention",
        [
            ("planmatig", "planmatig"),
            ("geintegreerd", "planmatig"),
            ("systematisch", "systematisch"),
        ],
    )
    def test_the_intention_must_be_a_step_forward(self, current, intention):
        with pytest.raises(InvalidAnswer) as error:
            validate_page(Q, B1, "situering", {"current_stadium": current, "intention": intention})
        assert "geen stap vooruit" in messages(error.value)

    @pytest.mark.parametrize("current", ["fragmentair", "planmatig", "geintegreerd", "systematisch"])
    def test_keeping_the_current_stadium_is_always_possible(self, current):
        validate_page(Q, B1, "situering", {"current_stadium": current, "intention": "aanhouden"})

    def test_mandatory_answers_are_required(self):
        with pytest.raises(InvalidAnswer) as error:
            validate_page(Q, B1, "context", {})
        assert {e.field for e in error.value.errors} == {"deliberate_choice", "hefbomen", "knelpunten", "differences"}

    def test_options_must_be_listed_ones(self):
        with pytest.raises(InvalidAnswer):
            validate_page(Q, B1, "situering", {"current_stadium": "excellent", "intention": "aanhouden"})
        with pytest.raises(InvalidAnswer):
            validate_page(Q, B1, "context", full_context(hefbomen="missie_visie,bogus"))

    def test_single_choice_takes_one_option(self):
        with pytest.raises(InvalidAnswer):
            validate_page(Q, B1, "situering", {"current_stadium": "planmatig,fragmentair", "intention": "aanhouden"})

    @pytest.mark.parametrize(
        "field,value",
        [
            ("hefbomen", "geen,missie_visie"),
            ("knelpunten", "systemen_structuur,geen"),
            ("differences", "nee,teams"),
        ],
    )
    def test_none_options_cannot_be_combined(self, field, value):
        with pytest.raises(InvalidAnswer) as error:
            validate_page(Q, B1, "context", full_context(**{field: value}))
        label = Q.question(field).short_label
        assert messages(error.value).startswith(f"{label}: ‘ne")
        assert messages(error.value).endswith("kan niet samen met een ander antwoord — vink één van beide uit.")

    def test_anders_needs_its_text(self):
        with pytest.raises(InvalidAnswer) as error:
            validate_page(Q, B1, "context", full_context(differences="anders"))
        assert error.value.errors[0].field == "differences_other"
        answers = validate_page(Q, B1, "context", full_context(differences="anders,teams", differences_other="regio"))
        assert answers["differences"].other_text == "regio"

    def test_texts_are_limited_and_kept_verbatim(self):
        with pytest.raises(InvalidAnswer):
            validate_page(Q, B1, "context", full_context(hefbomen_explanation="a" * 2001))
        odd = 'quote " {{x}} <at>bot</at> 🎉 \n tweede regel'
        answers = validate_page(Q, B1, "context", full_context(hefbomen_explanation=odd))
        assert answers["hefbomen"].explanation == odd.strip()

    def test_control_characters_are_dropped(self):
        answers = validate_page(Q, B1, "context", full_context(hefbomen_explanation="a\x00b\x1bc"))
        assert answers["hefbomen"].explanation == "abc"

    @pytest.mark.parametrize(
        "page,values",
        [
            ("situering", {"current_stadium": "systematisch", "intention": "planmatig"}),
            ("situering", {"intention": "aanhouden"}),
            ("context", full_context(hefbomen="geen,missie_visie")),
            ("context", full_context(differences="anders")),
            ("context", full_context(knelpunten="bogus")),
            ("context", full_context(deliberate_choice_explanation="a" * 2001)),
        ],
    )
    def test_messages_are_one_short_line_that_names_the_question(self, page, values):
        with pytest.raises(InvalidAnswer) as error:
            validate_page(Q, B1, page, values)
        for problem in error.value.errors:
            question = Q.question(problem.field.removesuffix("_other").removesuffix("_explanation"))
            assert problem.message.startswith(question.short_label + ": "), problem.message
            assert len(problem.message) <= 130 and "\n" not in problem.message, problem.message
            assert B1.in_sentence not in problem.message, "the whole question is not quoted"


class TestCardTexts:
    def test_stadium_descriptions_split_between_sentences(self):
        for bouwsteen in Q.units:
            for description in bouwsteen.descriptions.values():
                opening, rest = first_sentences(description, 200)
                assert opening.endswith((".", "!", "?", "…", ")")), opening[-40:]
                assert " ".join((opening + " " + rest).split()) == " ".join(description.split())

    def test_abbreviations_and_go_do_not_end_a_sentence(self):
        assert sentences("Samen met het GO! CLB. Bv. LARS, vb. Qool (art. 2, 15°). Klaar.") == [
            "Samen met het GO! CLB.",
            "Bv. LARS, vb. Qool (art. 2, 15°).",
            "Klaar.",
        ]

    def test_a_long_first_sentence_is_shown_whole(self):
        long = "Een zin " + "met veel woorden " * 20 + "eindigt hier. Tweede zin."
        assert first_sentences(long, 50) == (long.removesuffix(" Tweede zin."), "Tweede zin.")

    def test_the_rest_keeps_its_paragraphs_not_one_per_sentence(self):
        assert first_sentences("Eerste zin. Tweede zin. Derde zin.\n\nNieuwe alinea.", 12) == (
            "Eerste zin.",
            "Tweede zin. Derde zin.\n\nNieuwe alinea.",
        )

    def test_shortening_never_cuts_a_word(self):
        assert shorten("organisatiecontext en nog meer tekst", 22) == "organisatiecontext en …"
        assert shorten("kort", 22) == "kort"

    @pytest.mark.parametrize(
        "question,choices,other,summary",
        [
            ("hefbomen", ("geen",), "", "geen hefbomen"),
            ("hefbomen", ("mensen_cultuur", "missie_visie"), "", "mensen en cultuur; missie-visie en leiderschap"),
            ("deliberate_choice", ("context",), "", "door de context"),
            ("differences", ("nee",), "", "geen verschillen"),
            ("differences", ("teams", "anders"), "tussen de regio's", "tussen de teams; anders: tussen de regio's"),
        ],
    )
    def test_a_members_answers_are_summarised_in_the_short_labels_everyone_uses(
        self, question, choices, other, summary
    ):
        # Not "neen" beside "nee" in one overview: the director's card and the report say the same.
        response = Response(
            wave_id="w",
            centre_id="c",
            respondent_id="r",
            answers={"behartiger": {question: QuestionAnswer(choices=choices, other_text=other)}},
        )
        assert answer_summary(Q, response, "behartiger", question) == summary

    def test_help_on_part_two_says_what_each_question_asks(self):
        lines = " ".join(e["text"] for e in step_help(Q, flow.Step("page", "behartiger", "context")))
        for question in Q.page_questions("context"):
            assert question.short_label in lines, question.id
            assert (
                question.render_text(B1).split(" ")[:4]
                == lines.split(f"**{question.short_label}:** “")[1].split(" ")[:4]
            ), f"{question.id}: what it asks, quoted"
        assert "meer dan één antwoord aanvinken" in lines and "Meer antwoorden kunnen" not in lines

    def test_help_on_the_schools_survey_says_how_to_rate_the_statements(self):
        q = schools_survey()
        lines = " ".join(e["text"] for e in step_help(q, flow.Step("page", q.units[0].id, q.page_ids[0])))
        assert f"thema 1, {q.units[0].title}" in lines and "deel 1" not in lines
        assert "hoe akkoord je bent" in lines and "niet van toepassing" in lines
        assert "bouwsteen" not in lines and "stadium" not in lines


class TestClosing:
    def test_three_distinct_priorities_are_required(self):
        with pytest.raises(InvalidAnswer):
            validate_final(
                Q,
                {
                    "inspiring_practices_none": "true",
                    "priorities_1": "plg",
                    "priorities_2": "plg",
                    "priorities_3": "preventie",
                },
            )
        with pytest.raises(InvalidAnswer):
            validate_final(Q, {"inspiring_practices_none": "true", "priorities_1": "plg"})
        closing = validate_final(
            Q,
            {
                "inspiring_practices_none": "true",
                "priorities_1": "plg",
                "priorities_2": "preventie",
                "priorities_3": "teamwerk",
                "priorities_5": "behartiger",
            },
        )
        assert closing["priorities"].choices == ("plg", "preventie", "teamwerk", "behartiger")

    def test_inspiring_practice_or_not_yet(self):
        base = {"priorities_1": "plg", "priorities_2": "preventie", "priorities_3": "teamwerk"}
        with pytest.raises(InvalidAnswer):
            validate_final(Q, base)
        with pytest.raises(InvalidAnswer):
            validate_final(Q, {**base, "inspiring_practices_1": "plg", "inspiring_practices_none": "true"})
        with pytest.raises(InvalidAnswer):
            validate_final(Q, {**base, "inspiring_practices_1": "plg", "inspiring_practices_2": "plg"})
        closing = validate_final(Q, {**base, "inspiring_practices_2": "teamwerk"})
        assert closing["inspiring_practices"].choices == ("teamwerk",)


def answered(response: Response, bouwsteen_id: str, current="planmatig", intention="geintegreerd") -> Response:
    response = flow.save_page(
        Q,
        response,
        bouwsteen_id,
        "situering",
        {
            "current_stadium": QuestionAnswer(choices=(current,)),
            "intention": QuestionAnswer(choices=(intention,)),
        },
        NOW,
    )
    return flow.save_page(
        Q, response, bouwsteen_id, "context", validate_page(Q, Q.unit(bouwsteen_id), "context", full_context()), NOW
    )


class TestNavigation:
    def test_steps_follow_the_manual_order(self):
        response = Response(wave_id="w", centre_id="c", respondent_id="r")
        assert flow.next_step(Q, response) == flow.Step("page", "behartiger", "situering")
        response = answered(response, "behartiger")
        assert flow.next_step(Q, response) == flow.Step("page", "kernprocessen", "situering")
        for bouwsteen in Q.units:
            response = answered(response, bouwsteen.id)
        assert flow.next_step(Q, response).kind == "overview"
        assert flow.progress(Q, response).answered == 11

    def test_editing_walks_both_pages_then_returns(self):
        response = Response(wave_id="w", centre_id="c", respondent_id="r")
        for bouwsteen in Q.units[:3]:
            response = answered(response, bouwsteen.id)
        response = flow.start_edit(Q, response, "behartiger", NOW)
        assert flow.next_step(Q, response) == flow.Step("page", "behartiger", "situering")
        response = answered(response, "behartiger", "fragmentair")
        assert response.editing is None
        assert flow.next_step(Q, response) == flow.Step("page", Q.units[3].id, "situering")

    def test_submitted_responses_are_locked(self):
        response = Response(wave_id="w", centre_id="c", respondent_id="r")
        for bouwsteen in Q.units:
            response = answered(response, bouwsteen.id)
        with pytest.raises(ValueError):
            flow.submit(Q, response, NOW)
        response = flow.save_closing(
            response,
            validate_final(
                Q,
                {
                    "inspiring_practices_none": "true",
                    "priorities_1": "plg",
                    "priorities_2": "preventie",
                    "priorities_3": "teamwerk",
                },
            ),
            NOW,
        )
        assert flow.next_step(Q, response).kind == "confirm"
        response = flow.submit(Q, response, NOW)
        assert flow.next_step(Q, response).kind == "submitted"
        with pytest.raises(flow.SurveyLocked):
            flow.start_edit(Q, response, "plg", NOW)


class TestCommands:
    @pytest.mark.parametrize(
        "text,name,argument",
        [
            ("help", "help", ""),
            ("HELP!", "help", ""),
            ("?", "help", ""),
            ("Voortgang", "progress", ""),
            ("voortgnag", "progress", ""),
            ("overzicht", "overview", ""),
            ("wijzig 3", "edit", "3"),
            ("Wijzig preventie", "edit", "preventie"),
            ("pauze", "pause", ""),
            ("later", "pause", ""),
            ("verder", "resume", ""),
            ("Start", "resume", ""),
            ("wat is LARS?", "glossary", "LARS"),
            ("Wat betekent HGD", "glossary", "HGD"),
            ("nieuwe ronde Zelfscan 2027 tot 15-06-2027", "new_wave", "Zelfscan 2027 tot 15-06-2027"),
            ("sluit ronde", "close_wave", ""),
            ("export", "export", ""),
            ("mijn gegevens", "my_data", ""),
            ("hlep", "help", ""),
            ("Ik snap het niet", "help", ""),
            ("bedankt!", "thanks", ""),
            ("Dank je wel", "thanks", ""),
            ("stoppen", "pause", ""),
            ("wat is een hefboom?", "glossary", "een hefboom"),
        ],
    )
    def test_commands_are_recognised(self, text, name, argument):
        command = parse_command(text)
        assert command is not None and command.name == name and command.argument == argument

    @pytest.mark.parametrize(
        "reference,expected",
        [
            ("LARS", "LARS"),
            ("lars", "LARS"),
            ("een hefboom", "hefboom"),
            ("hefbomen", "hefboom"),
            ("knelpunten", "knelpunt"),
            ("de stadia", "stadium"),
            ("een bouwsteen", "bouwsteen"),
            ("bouwstenen", "bouwsteen"),
            ("PLG's", None),
            ("iets anders", None),
        ],
    )
    def test_terms_and_abbreviations_are_found_with_article_and_plural(self, reference, expected):
        found = find_glossary(Q, reference)
        assert (found.abbreviation if found else None) == expected

    def test_swapped_letters_are_forgiven_only_next_to_each_other(self):
        assert parse_command("hlep").name == "help"
        assert parse_command("ovrezicht").name == "overview"
        assert parse_command("lhep") is None

    def test_unknown_text_is_no_command(self):
        assert parse_command("ik vind het een mooie dag") is None

    @pytest.mark.parametrize(
        "reference,expected",
        [
            ("3", "preventie"),
            ("preventie", "preventie"),
            ("Preventei", "preventie"),
            ("PLG", "plg"),
            ("gedeeld leiderschap", "gedeeld_leiderschap"),
            ("12", None),
            ("", None),
        ],
    )
    def test_bouwstenen_are_found_by_number_or_name(self, reference, expected):
        found = find_unit(Q, reference)
        assert (found.id if found else None) == expected

    def test_new_wave_arguments(self):
        request = parse_new_wave("Zelfscan 2027 tot 15-06-2027 voor clb-a, clb-b", date(2026, 11, 24))
        assert request.name == "Zelfscan 2027" and request.deadline == date(2027, 6, 15)
        assert request.centre_ids == ("clb-a", "clb-b")
        with pytest.raises(CommandError):
            parse_new_wave("Zelfscan tot 31-02-2027", date(2026, 11, 24))
        with pytest.raises(CommandError):
            parse_new_wave("zonder datum", date(2026, 11, 24))


class TestRegistry:
    def test_a_valid_registry_finds_people_by_email_and_role(self, tmp_path):
        write_registry(tmp_path)
        registry = load_registry(tmp_path / "centres.yaml")
        membership = registry.find(None, "DINA.directeur@clb-demo.example")
        assert membership.role == "director" and membership.centre.id == "clb-demo"
        assert registry.find("lea.lid@clb-demo.example").role == "member"
        assert registry.find("nobody@example.org") is None

    def test_an_error_names_the_line(self, tmp_path):
        document = registry_document()
        document["centres"][1]["members"][0]["email"] = "not-an-email"
        write_registry(tmp_path, document)
        with pytest.raises(RegistryError) as error:
            load_registry(tmp_path / "centres.yaml")
        text = (tmp_path / "centres.yaml").read_text().splitlines()
        line = next(i for i, row in enumerate(text, 1) if "not-an-email" in row)
        assert f"centres.yaml:{line}:" in str(error.value)

    def test_the_parsed_copy_is_used_only_for_the_same_text(self, tmp_path):
        write_registry(tmp_path)
        path = tmp_path / "centres.yaml"
        first = load_registry(path)
        copy = tmp_path / "centres.yaml.parsed.json"
        assert copy.exists()
        assert load_registry(path).centres == first.centres
        # An edit is seen at once: a different text is parsed again, whatever the copy says.
        path.write_text(path.read_text().replace("Lea Lid", "Lea Nieuw"))
        assert load_registry(path).find("lea.lid@clb-demo.example").person.name == "Lea Nieuw"
        # And an edit that breaks the file is refused even though an older copy was valid.
        path.write_text(path.read_text().replace("lea.lid@clb-demo.example", "not-an-email"))
        with pytest.raises(RegistryError):
            load_registry(path)

    def test_a_person_in_two_centres_is_refused(self, tmp_path):
        document = registry_document()
        document["centres"][1]["members"].append(document["centres"][0]["members"][0])
        write_registry(tmp_path, document)
        with pytest.raises(RegistryError, match="appears twice"):
            load_registry(tmp_path / "centres.yaml")


class TestScholengroepContacts:
    def test_a_contact_is_found_by_either_identity_for_every_centre_they_follow(self, tmp_path):
        document = registry_document()
        contact = {
            "name": "Anna Algemeen",
            "email": "Anna@Scholengroep.example",
            "aad_object_id": "aad-anna",
            "role": "AD",
        }
        for centre in document["centres"]:
            centre["scholengroep_contacts"] = [contact]
        write_registry(tmp_path, document)
        registry = load_registry(tmp_path / "centres.yaml")
        assert [c.id for c, _ in registry.contact_centres("anna@scholengroep.EXAMPLE")] == ["clb-demo", "clb-andere"]
        assert [c.id for c, _ in registry.contact_centres(None, "AAD-ANNA")] == ["clb-demo", "clb-andere"]
        assert registry.contact_centres("mo.medewerker@clb-demo.example") == ()
        assert registry.find("anna@scholengroep.example") is None, "a contact is not a member of the team"

    def test_a_contact_needs_a_known_role(self, tmp_path):
        document = registry_document()
        document["centres"][0]["scholengroep_contacts"] = [{"name": "X", "email": "x@sg.example", "role": "CEO"}]
        write_registry(tmp_path, document)
        with pytest.raises(RegistryError, match="scholengroep_contacts"):
            load_registry(tmp_path / "centres.yaml")


class TestConsolidation:
    def responses(self, stadia: list[str], hefbomen: list[str]) -> list[Response]:
        result = []
        for n, (stadium, hefboom) in enumerate(zip(stadia, hefbomen, strict=False)):
            response = Response(wave_id="w", centre_id="c", respondent_id=f"r{n}", respondent_name=f"Lid {n}")
            response = flow.save_page(
                Q,
                response,
                "behartiger",
                "situering",
                {
                    "current_stadium": QuestionAnswer(choices=(stadium,)),
                    "intention": QuestionAnswer(choices=("aanhouden",)),
                },
                NOW,
            )
            response = flow.save_page(
                Q,
                response,
                "behartiger",
                "context",
                validate_page(Q, B1, "context", full_context(hefbomen=hefboom, hefbomen_explanation=f"uitleg {n}")),
                NOW,
            )
            result.append(response)
        return result

    def test_the_majority_is_proposed(self):
        responses = self.responses(
            ["planmatig", "planmatig", "fragmentair"], ["missie_visie,mensen_cultuur", "missie_visie", "geen"]
        )
        proposals = propose(Q, "behartiger", responses, {})
        assert proposals["current_stadium"].chosen == ("planmatig",)
        assert proposals["current_stadium"].decided
        assert proposals["hefbomen"].chosen == ("missie_visie",)
        assert proposals["hefbomen"].open == ("mensen_cultuur", "geen"), "the minority's ticks are shown, not ticked"
        assert len(proposals["hefbomen"].explanations) == 3
        assert proposed_inputs(Q, proposals, "situering")["current_stadium"] == "planmatig"
        assert proposed_inputs(Q, proposals, "context")["hefbomen"] == "missie_visie"

    def test_every_option_a_majority_ticked_is_ticked_even_beside_a_tie(self):
        responses = self.responses(
            ["planmatig"] * 4,
            ["mensen_cultuur,missie_visie", "mensen_cultuur,missie_visie", "mensen_cultuur", "systemen_structuur"],
        )
        proposals = propose(Q, "behartiger", responses, {})
        hefbomen = proposals["hefbomen"]
        assert hefbomen.chosen == ("mensen_cultuur",), "3 of 4 ticked it"
        assert hefbomen.open == ("missie_visie", "systemen_structuur"), "2 of 4 is a tie, 1 of 4 a minority"
        assert not hefbomen.decided
        assert proposed_inputs(Q, proposals, "context")["hefbomen"] == "mensen_cultuur"

    def test_a_plurality_without_a_majority_is_left_open(self):
        responses = self.responses(
            ["planmatig", "planmatig", "fragmentair", "systematisch", "geintegreerd"], ["geen"] * 5
        )
        proposals = propose(Q, "behartiger", responses, {})
        assert proposals["current_stadium"].chosen == ()
        assert proposals["current_stadium"].open == ("fragmentair", "planmatig", "geintegreerd", "systematisch")
        assert "current_stadium" not in proposed_inputs(Q, proposals, "situering")

    def test_a_tie_is_surfaced_and_left_open(self):
        responses = self.responses(["planmatig", "systematisch"], ["missie_visie", "mensen_cultuur"])
        proposals = propose(Q, "behartiger", responses, {})
        assert proposals["current_stadium"].chosen == ()
        assert set(proposals["current_stadium"].open) == {"planmatig", "systematisch"}
        assert "current_stadium" not in proposed_inputs(Q, proposals, "situering")
        assert not proposals["hefbomen"].decided and proposals["hefbomen"].chosen == ()

    def test_closing_priorities_are_ranked_by_points(self):
        responses = self.responses(["planmatig"] * 3, ["geen"] * 3)
        orders = [("plg", "preventie", "teamwerk"), ("plg", "teamwerk", "preventie"), ("preventie", "plg", "teamwerk")]
        closing = []
        for response, order in zip(responses, orders, strict=False):
            closing.append(
                flow.save_closing(
                    response,
                    validate_final(
                        Q,
                        {
                            "inspiring_practices_1": "plg",
                            "priorities_1": order[0],
                            "priorities_2": order[1],
                            "priorities_3": order[2],
                        },
                    ),
                    NOW,
                )
            )
        values = proposed_closing_inputs(Q, closing)
        assert [values[f"priorities_{n}"] for n in (1, 2, 3)] == ["plg", "preventie", "teamwerk"]
        assert values["inspiring_practices_1"] == "plg"

    def test_the_summary_shows_spread_and_progress(self, tmp_path):
        write_registry(tmp_path)
        centre = load_registry(tmp_path / "centres.yaml").centre("clb-demo")
        responses = self.responses(["fragmentair", "systematisch"], ["missie_visie", "missie_visie"])
        responses = [
            r.model_copy(update={"respondent_id": p.key}) for r, p in zip(responses, centre.members, strict=False)
        ]
        summary = summarise(Q, centre, responses)
        first = summary.units[0]
        assert first.spread == 3
        assert first.current_counts["fragmentair"] == 1 and first.current_counts["systematisch"] == 1
        assert summary.tally("hefbomen").counts["missie_visie"] == 2
        assert [m.answered for m in summary.members] == [0, 1, 1, 0]
        assert len(summary.members) == 4
        assert first.far_apart and first.range_text(Q) == "van fragmentair tot systematisch"
        assert situation_text(first) == "1 fragmentair, 1 systematisch → 1 wil fragmentair, 1 wil systematisch"
        assert first.tally("hefbomen").respondents == 2 and summary.tally("hefbomen").respondents == 2
        assert [(e.name, e.question_id, e.text) for e in first.explanations] == [
            ("Mo Medewerker", "hefbomen", "uitleg 0"),
            ("Lea Lid", "hefbomen", "uitleg 1"),
        ]
        assert situation_text(summary.units[1]) == "nog geen antwoorden"

    def test_the_team_in_plain_dutch(self):
        responses = self.responses(["planmatig", "planmatig", "geintegreerd"], ["geen"] * 3)
        item = summarise(Q, Centre(id="c", name="C", director={"name": "D", "email": "d@x.be"}), responses).units[0]
        assert situation_text(item) == "2 planmatig, 1 geïntegreerd → 2 willen planmatig, 1 wil geïntegreerd"
        assert not item.far_apart


class TestContentOnlyChange:
    """A question of an existing type, added to a copy of the content file, is asked and checked without code."""

    @pytest.fixture
    def changed(self, tmp_path):
        source = CONTENT_DIR / "poolster-clb-2025-1.yaml"
        content = yaml.safe_load(source.read_text(encoding="utf-8"))
        content["questions"].append(
            {
                "id": "ondersteuning",
                "type": "single_choice",
                "short_label": "Ondersteuning",
                "summary": "tally",
                "text": "Krijgt ons centrum genoeg ondersteuning voor {unit}?",
                "required": True,
                "options": [{"id": "genoeg", "label": "ja, genoeg"}, {"id": "te_weinig", "label": "nee, te weinig"}],
            }
        )
        next(page for page in content["pages"] if page["id"] == "context")["questions"].append("ondersteuning")
        folder = tmp_path / "questionnaires"
        folder.mkdir()
        (folder / source.name).write_text(
            yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        return load_catalog(folder)

    async def test_the_added_question_is_on_the_members_card_and_validated(self, changed, tmp_path):
        write_registry(tmp_path)
        registry = load_registry(tmp_path / "centres.yaml")
        services = Services(changed, registry, InMemoryStore(), clock=lambda: NOW)
        q = changed.current(Q.id)
        wave = Wave(
            id="w",
            name="Zelfscan",
            status="open",
            created_at=NOW,
            launched_at=NOW,
            questionnaire_id=q.id,
            questionnaire_version=q.version,
        )
        await services.waves.create(wave, wave.id)
        dialog = RespondentDialog(services)
        membership = registry.find("mo.medewerker@clb-demo.example")
        actor = Actor(user_id="29:mo", name="Mo", membership=membership)

        async def press(data: dict) -> dict:
            outgoing = await dialog.on_payload(actor, parse_payload(data))
            return next(item.card for item in outgoing if isinstance(item, MoveOn))

        async def stored() -> Response | None:
            return await services.responses.get("w", "clb-demo", membership.person.key)

        first = await press(action_data("start", wave="w"))
        save = next(a for a in first["actions"] if a["title"].startswith("Bewaar"))["data"]
        context = await press({**save, "current_stadium": "planmatig", "intention": "geintegreerd"})
        inputs = {e["id"]: e for e in _elements(context) if e.get("type", "").startswith("Input.")}
        assert "ondersteuning" in inputs, "the new question is on the card"
        assert (
            "Krijgt ons centrum genoeg ondersteuning voor de bouwsteen ‘Behartiger van de leerling’?"
            in inputs["ondersteuning"]["label"]
        )
        save = next(a for a in context["actions"] if a["title"].startswith("Bewaar"))["data"]
        refused = await press({**save, **full_context()})
        assert any("Ondersteuning: kies een antwoord." in e.get("text", "") for e in _elements(refused))
        assert not (await stored()).is_page_answered(q, "behartiger", "context"), "not saved without it"
        await press({**save, **full_context(), "ondersteuning": "te_weinig"})
        response = await stored()
        assert response.answer("behartiger", "ondersteuning").choices == ("te_weinig",)
        assert response.is_page_answered(q, "behartiger", "context")


def _elements(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _elements(value)
    elif isinstance(node, list):
        for value in node:
            yield from _elements(value)
