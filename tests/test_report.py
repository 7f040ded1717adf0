"""The centre's report: a valid A4 PDF whose text holds the centre's answer, the team's numbers, the
movement since the previous wave, and the network only when at least five centres submitted."""

from __future__ import annotations

import re
import subprocess
import time
from datetime import date, datetime, timezone

import pytest

from bot.downloads import LIFETIME_SECONDS, DownloadLinks, LinkRefused
from bot.report_links import ReportLinks
from reports.render import NETWORK_MINIMUM, ReportInput, render_html, render_pdf
from survey.registry import Centre
from survey.school_view import schools_view
from survey.summary import summarise
from survey.waves import Wave
from tests.support.content import schools_survey, self_scan, stadium_ids
from tests.support.responses import filled_response, school_response

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
Q = self_scan()
IDS = [u.id for u in Q.units]
CENTRE = Centre(
    id="clb-demo",
    name="GO! CLB Demo",
    scholengroep="Scholengroep Rivierenland",
    director={"name": "Megan Bowen", "email": "megan@clb-demo.example"},
    members=[
        {"name": name, "email": f"{name.split()[0].lower()}@clb-demo.example"}
        for name in ("Adele Vance", "Lee Gu", "Nestor Wilke")
    ],
)
WAVE = Wave(id="zelfscan-2026", name="Zelfscan 2026-2027", status="open", created_at=NOW, launched_at=NOW)
EARLIER = Wave(
    id="zelfscan-2025", name="Zelfscan 2025-2026", status="closed", created_at=NOW, launched_at=NOW.replace(year=2025)
)
SECRET = "Alleen Adele weet dit."


def centre_answer(wave_id: str = WAVE.id, centre_id: str = CENTRE.id, stadium="planmatig", **kwargs):
    return filled_response(
        Q,
        wave_id=wave_id,
        centre_id=centre_id,
        respondent_id=centre_id,
        kind="centre",
        now=NOW,
        stadium=stadium,
        **kwargs,
    )


def team():
    responses = []
    for i, person in enumerate(CENTRE.people):
        stadia = {b: ("planmatig" if i < 3 else "geintegreerd") for b in IDS}
        stadia["preventie"] = ("fragmentair", "planmatig", "geintegreerd", "geintegreerd")[i]
        responses.append(
            filled_response(
                Q,
                wave_id=WAVE.id,
                centre_id=CENTRE.id,
                respondent_id=person.key,
                now=NOW,
                stadium=stadia,
                context={
                    "hefbomen": "mensen_cultuur" if i else "missie_visie",
                    "deliberate_choice_explanation": SECRET if person.name == "Adele Vance" else "",
                },
            )
        )
    return summarise(Q, CENTRE, responses)


def report(*, centres: int = 1, previous: bool = True) -> ReportInput:
    answer = centre_answer(
        stadium={b: ("geintegreerd" if b == "preventie" else "planmatig") for b in IDS},
        target={b: ("systematisch" if b == "preventie" else "geintegreerd") for b in IDS},
        context={
            "hefbomen": "mensen_cultuur,systemen_structuur",
            "hefbomen_explanation": "De nieuwe cellenwerking helpt.",
            "differences": "teams,anders",
            "differences_other": "tussen de vestigingen in het oosten",
        },
        closing={
            "priorities_1": "plg",
            "priorities_2": "preventie",
            "priorities_3": "teamwerk",
            "inspiring_practices_none": "true",
        },
    )
    others = tuple(centre_answer(centre_id=f"clb-{n}", stadium=stadium_ids()[n % 4]) for n in range(centres - 1))
    return ReportInput(
        Q,
        CENTRE,
        WAVE,
        answer,
        team(),
        EARLIER if previous else None,
        centre_answer(EARLIER.id) if previous else None,
        (answer, *others),
        NOW,
    )


def pdf_text(pdf: bytes, tmp_path, *, layout: bool = True) -> str:
    """The PDF's text: laid out as on the page (table rows on one line), or in reading order, as one line."""
    path = tmp_path / "rapport.pdf"
    path.write_bytes(pdf)
    command = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    text = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return re.sub(r"[ \t]+", " ", text) if layout else re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_pdf(report(centres=NETWORK_MINIMUM))


def test_the_pdf_is_a_valid_a4_document(pdf, tmp_path):
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "rapport.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+595(\.\d+)? x 841(\.\d+)? pts \(A4\)", info), info
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
    assert 3 <= pages <= 12
    assert "GO! CLB Demo" in info, "the document's title names the centre"


def test_the_text_holds_the_centres_answer_and_the_teams_numbers(pdf, tmp_path):
    text = pdf_text(pdf, tmp_path)
    assert "GO! CLB Demo" in text and "Zelfscan 2026-2027" in text and "Scholengroep Rivierenland" in text
    assert "verzonden op 24-11-2026 om 11:00 door Megan Bowen (directeur)" in text
    assert "4 van 4 teamleden verzonden hun antwoorden" in text
    assert "3. Preventie geïntegreerd → systematisch" in text, "today and intended per bouwsteen"
    assert "1. Behartiger van de leerling planmatig → geïntegreerd" in text
    assert "De nieuwe cellenwerking helpt." in text, "the centre's toelichtingen"
    assert "ja, anders: tussen de vestigingen in het oosten" in text
    assert "Vandaag: 1 fragmentair, 1 planmatig, 2 geïntegreerd." in text, "the team's spread on preventie"
    assert "De teamleden liepen ver uiteen: van fragmentair tot geïntegreerd." in text
    assert "mensen en cultuur: 3 van 4" in text
    priorities = text.index(Q.final_questions_for("ranking")[0].short_label)
    assert (
        text.index("Ontwikkeling als professionele", priorities)
        < text.index("Preventie", priorities)
        < text.index("Sterk teamwerk", priorities)
    ), "priorities in their order"
    assert "nog niet op het punt dat we een inspirerende praktijk kunnen bieden" in pdf_text(
        pdf, tmp_path, layout=False
    )


def test_no_members_answer_is_in_the_report(pdf, tmp_path):
    text = pdf_text(pdf, tmp_path)
    for person in CENTRE.members:
        assert person.name not in text
    assert SECRET not in text


def test_the_movement_since_the_previous_wave(pdf, tmp_path):
    text = pdf_text(pdf, tmp_path)
    assert "Sinds de vorige ronde (Zelfscan 2025-2026)" in text
    assert re.search(r"3\. Preventie planmatig → geïntegreerd geïntegreerd → systematisch \+1 stap", text)
    assert re.search(r"4\. Sterk teamwerk planmatig → geïntegreerd planmatig → geïntegreerd gelijk", text)
    assert "Sinds de vorige ronde" not in render_html(report(centres=NETWORK_MINIMUM, previous=False))


def test_the_network_appears_only_from_five_centres(pdf, tmp_path):
    text = pdf_text(pdf, tmp_path)
    assert f"Hoeveel van de {NETWORK_MINIMUM} centra" in text
    few = render_html(report(centres=NETWORK_MINIMUM - 1))
    assert "Hoeveel van de" not in few and "zodra minstens 5 centra hun antwoord verzonden" in few
    assert "clb-1" not in text


def test_a_report_without_member_answers_says_so():
    data = report()
    without_team = ReportInput(**{**data.__dict__, "team": summarise(Q, CENTRE, [])})
    html = render_html(without_team)
    assert "De antwoorden van de teamleden zijn niet (meer) bewaard" in html


def test_user_text_is_escaped():
    data = report()
    hostile = centre_answer(context={"hefbomen": "mensen_cultuur", "hefbomen_explanation": "<script>x</script> & co"})
    html = render_html(ReportInput(**{**data.__dict__, "centre_answer": hostile}))
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt; &amp; co" in html


async def test_report_links_are_signed_short_lived_and_only_for_reports(tmp_path):
    links = ReportLinks(tmp_path / "reports", "key", "https://poolster.example")
    url = await links.publish("rapport-w-c.pdf", b"%PDF-1.7 test")
    assert url.startswith("https://poolster.example/reports/")
    token = url.rpartition("/")[2]
    assert links.resolve(token).read_bytes() == b"%PDF-1.7 test"
    (tmp_path / "exports").mkdir()
    exports = DownloadLinks(tmp_path / "exports", "key", "https://poolster.example")
    with pytest.raises(LinkRefused):
        exports.resolve(token)  # a report's link opens no export, and the other way round
    later = time.time() + LIFETIME_SECONDS + 1
    with pytest.raises(LinkRefused, match="verlopen"):
        links.resolve(token, now=later)
    assert links.minutes == 15


def test_without_the_network_no_page_is_left_almost_empty(tmp_path):
    # Under five centres the network is one sentence: the bouwstenen follow it on the same page.
    pages = pdf_text(render_pdf(report(centres=NETWORK_MINIMUM - 1, previous=False)), tmp_path).split("\f")
    network_page = next(page for page in pages if "Het netwerk" in page)
    assert "Per bouwsteen" in network_page and "1. Behartiger van de leerling" in network_page


SCHOOLS_Q = schools_survey()
STATEMENTS = [s for _, s in SCHOOLS_Q.statements()]


def school(n: int, kind: str) -> dict:
    return {
        "id": f"{kind}-{n}",
        "name": f"Basisschool De {kind.capitalize()} {n}",
        "type": kind,
        "contacts": [{"name": f"Contact {kind} {n}", "email": f"{kind}{n}@school.example"}],
    }


WITH_SCHOOLS = CENTRE.model_copy(
    update={
        "schools": tuple(
            Centre.model_validate(
                {
                    "id": "x",
                    "name": "x",
                    "director": {"name": "d", "email": "d@x.example"},
                    "schools": [
                        school(1, "buso"),
                        *[school(n, "bao") for n in range(1, 5)],
                        *[school(n, "so") for n in range(1, 4)],
                    ],
                }
            ).schools
        )
    }
)
BUSO_COMMENT = "Enkel de buso-school schreef dit."


def schools_report(answering: list[str], final: bool = True, wave: Wave | None = None) -> ReportInput:
    def rating(school_id: str, number: int) -> str:
        if school_id.startswith("buso"):
            return "helemaal_niet"
        if school_id.startswith("so"):
            return "eerder_niet" if number % 2 else "helemaal"
        return "eerder_wel"

    responses = [
        school_response(
            SCHOOLS_Q,
            wave_id="scholen",
            centre_id=CENTRE.id,
            school_id=school_id,
            now=NOW,
            rating={s.id: rating(school_id, s.number) for s in STATEMENTS},
            comment=BUSO_COMMENT if school_id.startswith("buso") else "",
        )
        for school_id in answering
    ]
    data = report(centres=1, previous=False)
    return ReportInput(
        **{
            **data.__dict__,
            "centre": WITH_SCHOOLS,
            "schools": schools_view(SCHOOLS_Q, [WITH_SCHOOLS], responses, final=final),
            "schools_wave": wave,
        }
    )


ANSWERING = ["buso-1", "bao-1", "bao-2", "bao-3", "bao-4", "so-1", "so-2", "so-3"]


def test_the_schools_view_stands_beside_the_self_scan(tmp_path):
    data = schools_report(ANSWERING)
    pages = pdf_text(render_pdf(data), tmp_path).split("\f")
    side = next(page for page in pages if "Wat de scholen zeggen, naast de zelfscan" in page)
    assert "8 van de 8 scholen van GO! CLB Demo beantwoordden" in side
    assert re.search(r"3\. Preventie geïntegreerd →", side), "the centre's own levels on the same page"
    most = data.schools.most_agreed(1)[0]
    assert re.search(rf"{most.statement.number}\. {re.escape(most.statement.short_label)} {most.share}%", side)
    assert "Apart getoond: basisonderwijs (4 scholen)." in side
    # The types only inside the total are not named: that would say a small type answered.
    assert "Enkel in het totaal: de andere soorten scholen (minder dan 3 scholen," in side
    assert "buitengewoon secundair" not in side and "secundair onderwijs (" not in side
    statements = next(page for page in pages if "De scholen per stelling" in page)
    assert "Alle scholen basisonderwijs" in statements, "one column per shown school type, no other"
    last = STATEMENTS[-1]
    assert f"{last.number}. {last.short_label}" in statements, "the table ends on the chart's page, nothing cut off"
    text = " ".join(pages)
    assert BUSO_COMMENT in text, "the comments, quoted"
    for name in [s.name for s in WITH_SCHOOLS.schools] + [c.name for s in WITH_SCHOOLS.schools for c in s.contacts]:
        assert name not in text, "never a school's or a contact's name"


def test_the_schools_view_is_only_there_when_it_ran_and_empty_below_three_schools(tmp_path):
    assert "Wat de scholen zeggen" not in render_html(report())
    few = pdf_text(render_pdf(schools_report(ANSWERING[:2])), tmp_path, layout=False)
    assert "2 van de 8 scholen van GO! CLB Demo beantwoordden" in few
    assert "Vanaf 3 scholen toont het rapport" in few
    assert not any(s.short_label in few for s in STATEMENTS) and BUSO_COMMENT not in few


def test_while_the_schools_wave_is_open_the_report_shows_only_how_many_answered(tmp_path):
    # A report before and after one school submits would otherwise show that school's answers.
    wave = Wave(
        id="scholen",
        name="Bevraging scholen",
        status="open",
        deadline=date(2026, 12, 15),
        created_at=NOW,
        questionnaire_id=SCHOOLS_Q.id,
        questionnaire_version=SCHOOLS_Q.version,
    )
    text = pdf_text(render_pdf(schools_report(ANSWERING, final=False, wave=wave)), tmp_path, layout=False)
    assert "8 van de 8 scholen van GO! CLB Demo beantwoordden" in text
    assert "komen er pas als de bevraging afgelopen is: na de deadline van 15-12-2026" in text
    assert not any(s.short_label in text for s in STATEMENTS) and BUSO_COMMENT not in text
    assert "Apart getoond" not in text and "De scholen per stelling" not in text
