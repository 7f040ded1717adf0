"""The questionnaire content (content/questionnaires/*.yaml) against its sources: the self-scan against the
manual "GO! poolster-CLB in beeld", the schools' survey against the inspectorate's survey of schools.

These tests pin what the bot asks: the 11 bouwstenen in their clusters and order, the four stadia per
bouwsteen, the exact question wordings of ch. 7.2, the closing questions of ch. 7.3 and the glossary,
and they guard the text against PDF-extraction artefacts (stray line breaks, page footers).
"""

from __future__ import annotations

import re

import pytest

from survey.questionnaire import CONTENT_DIR, load_questionnaire

CONTENT = CONTENT_DIR / "poolster-clb-2025-1.yaml"
SCHOOLS_CONTENT = CONTENT_DIR / "scholen-clb-2025-1.yaml"
STADIUM_IDS = ("fragmentair", "planmatig", "geintegreerd", "systematisch")

CLUSTERS = [
    (
        "leerlingenbegeleiding",
        "De leerlingenbegeleiding geboden door CLB",
        ["behartiger", "kernprocessen", "preventie"],
    ),
    (
        "partnerschappen",
        "Sterke partnerschappen binnen het ecosysteem",
        ["teamwerk", "partnerschap_intern", "netwerk_extern"],
    ),
    (
        "beleid",
        "Het CLB-beleid",
        ["integraal_beleid", "plg", "gedeeld_leiderschap", "onderzoekende_houding", "geinformeerde_praktijken"],
    ),
]

BOUWSTENEN = [
    ("behartiger", "4.1", "Behartiger van de leerling"),
    ("kernprocessen", "4.2", "Geïntegreerde benadering van de kernprocessen"),
    ("preventie", "4.3", "Preventie"),
    ("teamwerk", "5.1", "Sterk teamwerk"),
    ("partnerschap_intern", "5.2", "Sterk partnerschap: intern binnen GO!"),
    ("netwerk_extern", "5.3", "Sterk netwerk: netoverstijgend en extern"),
    ("integraal_beleid", "6.1", "Integraal beleid"),
    ("plg", "6.2", "Ontwikkeling als professionele leergemeenschap (PLG)"),
    ("gedeeld_leiderschap", "6.3", "Vanuit gedeeld leiderschap"),
    ("onderzoekende_houding", "6.4", "Onderzoekende houding"),
    ("geinformeerde_praktijken", "6.5", "Geïnformeerde praktijken"),
]

# Left-overs of the PDF text that must never reach a respondent.
ARTEFACTS = (
    "Handleiding bij de inschalingstool",
    "INSCHALING:",
    "[deze bouwsteen]",
    "DEFINITIE:",
    "VERWIJST NAAR",
    "EEN CLB SCOORT",
    "\t",
    "\u2009",
    "  ",
)
FOOTNOTE_MARKER = re.compile(r"\b(reflecties|voorbeelden|ALS|indicatoren)\d")
SECTION_HEADER = re.compile(r"(^|\n)\d\.\d\s+[A-Z]")


@pytest.fixture(scope="module")
def q():
    return load_questionnaire(CONTENT)


# A rule's continuation is appended to its message and so starts with its own space.
CONTINUATIONS = (".message_or_higher",)


def all_texts(node, path="questionnaire"):
    """Every string in the questionnaire, with where it sits (continuations trimmed)."""
    if isinstance(node, str):
        yield path, node.lstrip(" ") if path.endswith(CONTINUATIONS) else node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from all_texts(value, f"{path}.{key}")
    elif isinstance(node, (list, tuple)):
        for index, value in enumerate(node):
            yield from all_texts(value, f"{path}[{index}]")


def test_the_file_loads_with_the_application_loader(q):
    assert q.title == "GO! poolster-CLB in beeld"
    assert q.version == "2025-1"
    assert 30 <= q.estimated_minutes <= 90


def test_clusters_and_bouwstenen_in_manual_order(q):
    assert [(c.id, c.title, [b.id for b in c.units]) for c in q.clusters] == CLUSTERS
    assert [(b.id, b.section, b.title) for b in q.units] == BOUWSTENEN
    assert [b.number for b in q.units] == list(range(1, 12))


def test_each_bouwsteen_reads_as_the_bouwsteen_title_in_a_question(q):
    for b in q.units:
        assert b.in_sentence == f"de bouwsteen ‘{b.title}’"
    preventie = q.unit("preventie")
    assert q.question("current_stadium").render_text(preventie) == (
        "Op welke wijze is ons centrum vandaag bezig met de bouwsteen ‘Preventie’?"
    )


@pytest.mark.parametrize("bouwsteen_id", [b[0] for b in BOUWSTENEN])
def test_bouwsteen_content_is_complete(q, bouwsteen_id):
    b = q.unit(bouwsteen_id)
    assert len(b.definition) >= 100
    assert b.rclbk, "every bouwsteen refers to RclbK quality expectations"
    assert all(re.match(r"^RclbK - [A-Z]+ ?\d: \S", line) for line in b.rclbk), b.rclbk
    assert b.reflection_title and b.reflection
    assert b.reflection_title == b.reflection_title[0].upper() + b.reflection_title[1:]
    assert not b.reflection_title.isupper()
    assert all(len(item) >= 20 for item in b.reflection)
    assert tuple(b.descriptions) == STADIUM_IDS
    descriptions = list(b.descriptions.values())
    assert all(len(text) >= 150 for text in descriptions), [len(t) for t in descriptions]
    assert len(set(descriptions)) == 4


def test_stadia_split_points(q):
    """Each stadium starts where the manual's column starts (a few spot checks per level)."""
    starts = {
        "behartiger": (
            "Er zijn in het centrum een beperkt",
            "Het CLB erkent de rol",
            "Leerlingen worden systematisch",
            "De werking rond belangenbehartiging",
        ),
        "teamwerk": (
            "Multidisciplinair overleg gebeurt",
            "Er is een gedeeld bewustzijn",
            "Multidisciplinair teamwerk is een vanzelfsprekend",
            "Multidisciplinair teamwerk is een structurele",
        ),
        "partnerschap_intern": (
            "Er is een bewustzijn van het belang",
            "Het team heeft een gedeeld inzicht",
            "Het partnerschap binnen GO! is verankerd",
            "Het CLB heeft een sterke",
        ),
        "integraal_beleid": (
            "Het centrumbeleid onderneemt ad hoc",
            "Het centrumbeleid heeft inzicht",
            "Het centrumbeleid past de principes",
            "Het centrumbeleid is doordrongen",
        ),
        "geinformeerde_praktijken": (
            "Het centrum onderneemt een aantal",
            "Het centrum heeft een centrumbrede",
            "In het centrum en in de teams",
            "De medewerkers werken onderzoeksmatig",
        ),
    }
    for bouwsteen_id, openings in starts.items():
        stadia = q.unit(bouwsteen_id).descriptions
        for stadium_id, opening in zip(STADIUM_IDS, openings, strict=False):
            assert stadia[stadium_id].startswith(opening), (bouwsteen_id, stadium_id, stadia[stadium_id][:60])
    # The last sentence of a column stays with its stadium, not with the next one.
    assert q.unit("behartiger").descriptions["planmatig"].endswith("nog geen sprake van centrumbrede implementatie.")
    assert q.unit("preventie").descriptions["systematisch"].endswith("op basis van schoolspecifieke data.")
    assert q.unit("onderzoekende_houding").descriptions["systematisch"].endswith("op basis van de evaluaties.")


def test_no_pdf_artefacts_anywhere(q):
    for path, text in all_texts(q.model_dump()):
        for artefact in ARTEFACTS:
            assert artefact not in text, f"{path}: {artefact!r} in {text[:80]!r}"
        assert not FOOTNOTE_MARKER.search(text), f"{path}: footnote marker in {text[:80]!r}"
        assert not SECTION_HEADER.search(text), f"{path}: section header in {text[:80]!r}"
        assert text == text.strip(), f"{path}: leading/trailing whitespace"


def test_no_line_break_inside_a_paragraph(q):
    for path, text in all_texts(q.model_dump()):
        for paragraph in text.split("\n\n"):
            assert "\n" not in paragraph, f"{path}: line break inside {paragraph[:80]!r}"
            assert paragraph.strip() == paragraph and paragraph, f"{path}: empty or padded paragraph"


def test_continuum(q):
    assert [(s.id, s.label, s.phase) for s in q.scale("stadia").levels] == [
        ("fragmentair", "Fragmentair", None),
        ("planmatig", "Planmatig", "plan"),
        ("geintegreerd", "Geïntegreerd", "plan + do"),
        ("systematisch", "Systematisch", "plan + do + check + act"),
    ]
    assert all("deze bouwsteen" in s.description for s in q.scale("stadia").levels)
    assert "doorgedreven expertise" in q.scale("stadia").level("systematisch").description
    assert "voortrekkers" in q.scale("stadia").level("fragmentair").description


def test_intro_texts(q):
    intro = q.intro
    for text in (intro.title, intro.purpose, intro.not_a_judgement, intro.how_it_works, intro.after):
        assert text and len(text) < 700
    assert "zelfscan" in intro.purpose
    assert "Zonder oordeel of dwang" in intro.not_a_judgement
    assert "directeur" in intro.after and "datagrafiek" in intro.after and "scholengroep" in intro.after


def labels(question):
    return [(o.id, o.label) for o in question.options]


CONTEXT_OPTIONS = [
    ("missie_visie", "gelinkt aan missie-visie-strategie, kernprocessen en leiderschap"),
    (
        "mensen_cultuur",
        "gelinkt aan mensen en cultuur (bv. mindset, competenties of talenten, groepsdynamiek, waarden en normen...)",
    ),
    (
        "systemen_structuur",
        "gelinkt aan systemen en structuur (bv. wetgeving, overleg, infrastructuur, middelen, IT...)",
    ),
]


def test_question_order_and_required(q):
    assert [x.id for x in q.questions] == [
        "current_stadium",
        "intention",
        "deliberate_choice",
        "hefbomen",
        "knelpunten",
        "differences",
    ]
    assert all(x.required for x in q.questions)


def test_question_current_stadium(q):
    question = q.question("current_stadium")
    assert question.text == "Op welke wijze is ons centrum vandaag bezig met {unit}?"
    assert not question.multiple and question.explanation_label is None
    assert labels(question) == [
        ("fragmentair", "Fragmentair"),
        ("planmatig", "Planmatig"),
        ("geintegreerd", "Geïntegreerd"),
        ("systematisch", "Systematisch"),
    ]


def test_question_intention(q):
    question = q.question("intention")
    assert question.text == "Naar de toekomst willen we"
    assert not question.multiple and question.explanation_label is None
    assert [(o.id, o.label, o.target) for o in question.options] == [
        ("aanhouden", "dit aanhouden", None),
        ("planmatig", "evolueren naar planmatig", "planmatig"),
        ("geintegreerd", "evolueren naar geïntegreerd", "geintegreerd"),
        ("systematisch", "evolueren naar systematisch", "systematisch"),
    ]


def test_question_deliberate_choice(q):
    question = q.question("deliberate_choice")
    assert question.text == "De manier waarop ons centrum vandaag met {unit} bezig is"
    assert not question.multiple and question.explanation_label == "Toelichting"
    assert labels(question) == [
        ("welbewust", "is een welbewuste keuze"),
        ("context", "is geen welbewuste keuze, maar is vooral ingegeven door de organisatiecontext"),
        ("combinatie", "is een combinatie van beide"),
    ]


@pytest.mark.parametrize("kind", ["hefbomen", "knelpunten"])
def test_question_hefbomen_and_knelpunten(q, kind):
    question = q.question(kind)
    assert question.text == (
        f"Ervaart ons centrum bepaalde {kind} in de organisatiecontext die de huidige situering van "
        "{unit} motiveren of kaderen?"
    )
    assert question.multiple and question.explanation_label == "Toelichting"
    assert labels(question) == CONTEXT_OPTIONS + [
        ("geen", f"neen, wij ondervinden momenteel geen {kind} in onze organisatiecontext.")
    ]
    assert [o.id for o in question.options if o.exclusive] == ["geen"]
    assert not any(o.needs_text for o in question.options)


def test_question_differences(q):
    question = q.question("differences")
    assert question.text == (
        "Is er een verschil in huidige situering tussen de teams, werkgroepen, disciplines, "
        "vestigingen of andere deelgroepen binnen ons centrum?"
    )
    assert question.multiple and question.explanation_label == "Toelichting"
    assert labels(question) == [
        ("nee", "nee"),
        ("teams", "ja, tussen de teams"),
        ("werkgroepen", "ja, tussen de werkgroepen"),
        ("disciplines", "ja, tussen de disciplines"),
        ("vestigingen", "ja, tussen de vestigingen"),
        ("anders", "ja, anders:"),
    ]
    assert [o.id for o in question.options if o.exclusive] == ["nee"]
    assert [o.id for o in question.options if o.needs_text] == ["anders"]


def test_only_the_intention_question_targets_stadia(q):
    for question in q.questions:
        if question.id != "intention":
            assert all(o.target is None for o in question.options), question.id


def test_closing_questions(q):
    assert [c.id for c in q.final.questions] == ["inspiring_practices", "priorities"]
    assert all(c.type == "ordered_choice" for c in q.final.questions)
    inspiring = q.question("inspiring_practices")
    assert inspiring.short_label == "Inspirerende praktijken"
    assert inspiring.text == (
        "Voor deze bouwstenen denken we dat ons centrum een inspirerende praktijk kan zijn voor andere centra (max. 3):"
    )
    assert (inspiring.min_choices, inspiring.max_choices) == (0, 3)
    assert inspiring.slot(2) == "Inspirerende praktijk 2"
    assert inspiring.none_label == (
        "Wij zitten momenteel nog niet op het punt dat we een inspirerende praktijk kunnen bieden."
    )
    priorities = q.question("priorities")
    assert priorities.short_label == "Prioriteiten"
    assert priorities.text == (
        "Op korte termijn wensen we als centrum prioritair in te zetten op deze 3 (tot max. "
        "5) bouwstenen in volgorde van belang:"
    )
    assert (priorities.min_choices, priorities.max_choices) == (3, 5)
    assert priorities.slot(1) == "Prioriteit 1"
    assert priorities.none_label is None


REQUIRED_GLOSSARY = [
    "LARS",
    "HGD",
    "DRM",
    "PLG",
    "LSC",
    "SGR",
    "PBD",
    "GLCE",
    "SPARK",
    "BOS",
    "IOV",
    "RclbK",
    "PDCA",
    "POC+",
    "SWV",
    "ELP",
    "ELZ",
    "GC",
    "IAC",
    "OV4",
    "DIR/CO",
    "AD",
    "CODI",
    "DICO",
    "VWVJ",
    "Qool",
    "CvD",
    "SGE",
    "LLB",
    "KB",
    "K1",
    "DWH",
    "COS",
    "CAR",
    "Fedasil",
    "SES",
    "L&S",
    "OLB",
    "PSF",
    "PGZ",
    "CLB",
    "GO!",
]


def test_glossary(q):
    entries = {e.abbreviation: e for e in q.glossary}
    assert len(entries) == len(q.glossary), "abbreviations are unique"
    for abbreviation in REQUIRED_GLOSSARY:
        assert abbreviation in entries, abbreviation
        assert len(entries[abbreviation].meaning) >= 10, abbreviation
        assert entries[abbreviation].source, abbreviation
    keys = [e.abbreviation.casefold() for e in q.glossary]
    assert keys == sorted(keys), "glossary is sorted alphabetically"
    assert entries["LARS"].meaning.startswith("Leerlingen Activiteiten Registratie Systeem")
    assert entries["HGD"].meaning.startswith("Handelingsgerichte diagnostiek")
    assert entries["DRM"].meaning.startswith("Decreet rechtspositie van de minderjarige")
    assert entries["LSC"].meaning.startswith("Leersteuncentrum")
    assert entries["PDCA"].meaning.startswith("Plan Do Check Act")


def test_glossary_is_honest_about_guesses(q):
    """A meaning the sources do not give is marked as a probable reading, never stated as fact."""
    for entry in q.glossary:
        if "zonder uitleg" in entry.meaning and entry.abbreviation not in ("DICO",):
            assert "Waarschijnlijk: " in entry.meaning, entry.abbreviation


def test_every_abbreviation_in_the_bouwstenen_is_explained(q):
    known = {e.abbreviation.upper() for e in q.glossary}
    for b in q.units:
        texts = [b.definition, *b.rclbk, *b.reflection, *b.descriptions.values()]
        for text in texts:
            for token in re.findall(r"\b[A-Z][A-Za-z]*[A-Z]\d?[+!]?", text):
                if token in ("RclbK",) or token.upper() in known:
                    continue
                # Codes of quality expectations and ontwikkelingsschalen (KB5, S1, BL5, ...) are not words.
                assert re.fullmatch(r"(KB|BL|[ABKSWPV])\d?", token), (b.id, token)


# ----- the schools' survey -------------------------------------------------------------------------

# The legible statements of the source, by number (11, 20 and 25 are not legible there).
SOURCE_NUMBERS = [n for n in range(4, 28) if n not in (11, 20, 25)]


@pytest.fixture(scope="module")
def schools():
    return load_questionnaire(SCHOOLS_CONTENT)


def test_the_schools_survey_keeps_the_sources_statements_and_numbers(schools):
    assert schools.respondents == "schools"
    assert [s.number for _, s in schools.statements()] == SOURCE_NUMBERS
    assert len({s.short_label for _, s in schools.statements()}) == len(SOURCE_NUMBERS), "short labels tell apart"
    assert all(unit.statements for unit in schools.units)


def test_the_schools_survey_asks_agreement_on_four_points_and_not_applicable(schools):
    agreement = [question for question in schools.questions if question.type == "agreement"]
    assert len(agreement) == 1 and agreement[0].required
    scale = schools.scale_of(agreement[0])
    assert [level.label for level in scale.levels] == [
        "Helemaal niet akkoord",
        "Eerder niet akkoord",
        "Eerder akkoord",
        "Helemaal akkoord",
    ]
    assert scale.not_applicable.label == "Niet van toepassing"
    comments = [question for question in schools.questions if question.type == "free_text"]
    assert comments and not any(question.required for question in comments), "a comment per theme is optional"


def test_the_schools_survey_speaks_to_a_school(schools):
    assert (schools.words.unit, schools.words.units, schools.words.subject) == ("thema", "thema's", "je school")
    for path, text in all_texts(schools.model_dump()):
        assert "bouwsteen" not in text.lower(), path
        assert text == text.strip(), f"{path}: leading/trailing whitespace"
    final = schools.final.questions
    assert [question.type for question in final] == ["free_text"] and not final[0].required
    for factor in ("persoonsgebonden", "arbeidsorganisatie", "noden"):
        assert factor in final[0].text, "the factors the source names"
