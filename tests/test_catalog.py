"""Questionnaires as data: the catalog of versions, the checks on a content file, question types by rule.

The content files' texts are tested in test_questionnaire_content.py; here the engine: what a file
may declare, the clear error when it declares something impossible, versions side by side, and
stored answers that stay readable.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import yaml

from survey import progress as flow
from survey.answers import InvalidAnswer, Response, input_ids, page_input_ids, validate_final, validate_page
from survey.questionnaire import CONTENT_DIR, Catalog, UnknownQuestionnaire, load_catalog, load_questionnaire
from survey.waves import Wave
from tests.support.content import SCHOOLS, SELF_SCAN, schools_survey, self_scan

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
SELF_SCAN_FILE = CONTENT_DIR / "poolster-clb-2025-1.yaml"


def _raw(path: Path = SELF_SCAN_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _write(folder: Path, name: str, raw: dict) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_content_folder_holds_both_surveys_and_says_who_answers_them():
    catalog = load_catalog()
    assert set(catalog.ids) == {SELF_SCAN, SCHOOLS}
    assert [q.id for q in catalog.for_respondents("team")] == [SELF_SCAN]
    assert [q.id for q in catalog.for_respondents("schools")] == [SCHOOLS]
    assert len(schools_survey().statements()) == 21
    assert [s.number for _, s in schools_survey().statements()] == [
        4,
        5,
        6,
        7,
        8,
        9,
        10,
        12,
        13,
        14,
        15,
        16,
        17,
        18,
        19,
        21,
        22,
        23,
        24,
        26,
        27,
    ]


def test_a_new_version_is_current_and_the_old_one_stays_readable(tmp_path):
    shutil.copy(SELF_SCAN_FILE, tmp_path / SELF_SCAN_FILE.name)
    raw = _raw()
    raw.update(version="2026-1", released="2026-09-01")
    raw["questions"].append(
        {
            "id": "werkdruk",
            "type": "multiple_choice",
            "short_label": "Werkdruk",
            "text": "Speelt werkdruk een rol bij {unit}?",
            "required": False,
            "summary": "tally",
            "options": [{"id": "ja", "label": "ja"}, {"id": "nee", "label": "nee"}],
        }
    )
    raw["pages"][1]["questions"].append("werkdruk")
    _write(tmp_path, "poolster-clb-2026-1.yaml", raw)
    catalog = load_catalog(tmp_path)
    old, new = catalog.get(SELF_SCAN, "2025-1"), catalog.current(SELF_SCAN)
    assert new.version == "2026-1" and "werkdruk" in new.page("context").questions
    assert "werkdruk" not in old.page("context").questions
    wave = Wave(id="w", name="Oud", created_at=NOW)  # stored before waves named their questionnaire
    assert catalog.of(wave) is old
    unit = new.units[0]
    assert "werkdruk" in page_input_ids(new, unit, "context")
    answers = validate_page(
        new,
        unit,
        "context",
        {
            "deliberate_choice": "welbewust",
            "hefbomen": "geen",
            "knelpunten": "geen",
            "differences": "nee",
            "werkdruk": "ja",
        },
    )
    assert answers["werkdruk"].choices == ("ja",)


def test_a_missing_version_is_refused_loudly():
    catalog = load_catalog()
    with pytest.raises(UnknownQuestionnaire, match="versie 1999-1"):
        catalog.of(Wave(id="w", name="W", created_at=NOW, questionnaire_version="1999-1"))


def test_two_files_with_the_same_version_are_refused(tmp_path):
    shutil.copy(SELF_SCAN_FILE, tmp_path / "a.yaml")
    shutil.copy(SELF_SCAN_FILE, tmp_path / "b.yaml")
    with pytest.raises(ValueError, match="defined twice"):
        load_catalog(tmp_path)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda raw: raw["pages"][0]["questions"].append("onbekend"), "page question onbekend"),
        (lambda raw: raw["pages"][1]["questions"].remove("differences"), "exactly one page"),
        (lambda raw: raw["questions"][1]["options"][1].update(target="perfect"), "unknown level perfect"),
        (lambda raw: raw["questions"][0].update(scale="sterren"), "unknown scale sterren"),
        (lambda raw: raw["clusters"][0]["units"][0]["descriptions"].pop("planmatig"), "must describe"),
        (lambda raw: raw["final"]["questions"][1].update(max_choices=12), "impossible number of choices"),
        (lambda raw: raw["rules"][0].update(from_question="hefbomen"), "target_level question relative to hefbomen"),
        (lambda raw: raw["questions"][3].update(summary="ranking"), "a ranking summary needs an ordered choice"),
        (lambda raw: raw["questions"][2].update(type="free_text"), "a free_text question has no options"),
        (lambda raw: raw["questions"][2].update(type="essay"), "questions.2.type"),
    ],
)
def test_an_impossible_questionnaire_is_refused_naming_the_file_and_the_place(tmp_path, change, message):
    raw = _raw()
    change(raw)
    path = _write(tmp_path, "kapot.yaml", raw)
    with pytest.raises(ValueError) as refused:
        load_questionnaire(path)
    assert str(path) in str(refused.value) and message in str(refused.value)


def test_the_step_forward_rule_comes_from_the_file():
    q = self_scan()
    unit = q.units[0]
    with pytest.raises(InvalidAnswer) as refused:
        validate_page(q, unit, "situering", {"current_stadium": "geintegreerd", "intention": "planmatig"})
    assert (
        "al geïntegreerd" in refused.value.errors[0].message
        and "of een hoger stadium" in refused.value.errors[0].message
    )
    with pytest.raises(InvalidAnswer) as refused:
        validate_page(q, unit, "situering", {"current_stadium": "systematisch", "intention": "systematisch"})
    assert "hoger stadium" not in refused.value.errors[0].message
    # Without the rule in the file, the same answer is accepted.
    lenient = q.model_copy(update={"rules": ()})
    assert validate_page(lenient, unit, "situering", {"current_stadium": "geintegreerd", "intention": "planmatig"})


def test_agreement_questions_rate_every_statement_of_their_unit():
    q = schools_survey()
    unit = q.units[1]
    agreement = q.questions_for("agreement")[0]
    assert input_ids(q, agreement, unit) == tuple(f"{agreement.id}_{s.id}" for s in unit.statements)
    full = {f"{agreement.id}_{s.id}": "eerder_wel" for s in unit.statements}
    with pytest.raises(InvalidAnswer) as refused:
        validate_page(q, unit, "stellingen", {**full, f"{agreement.id}_{unit.statements[2].id}": ""})
    assert str(unit.statements[2].number) in refused.value.errors[0].message
    with pytest.raises(InvalidAnswer) as refused:
        validate_page(q, unit, "stellingen", {**full, f"{agreement.id}_{unit.statements[0].id}": "<b>ja</b>"})
    assert "<b>" not in refused.value.errors[0].message
    answers = validate_page(q, unit, "stellingen", {**full, f"{agreement.id}_{unit.statements[0].id}": "nvt"})
    assert answers[agreement.id].ratings[unit.statements[0].id] == "nvt"
    assert set(answers) == {agreement.id}  # the optional comment left empty is no answer


def test_ordered_choices_take_their_limits_from_the_file():
    q = self_scan()
    ranked = q.final_questions_for("ranking")[0]
    voted = q.final_questions_for("votes")[0]
    units = [u.id for u in q.units]
    inputs = {f"{ranked.id}_{n}": units[n] for n in range(1, ranked.min_choices + 1)}
    inputs[f"{voted.id}_none"] = "true"
    answers = validate_final(q, inputs)
    assert answers[voted.id].declined and answers[ranked.id].choices == tuple(units[1 : ranked.min_choices + 1])
    with pytest.raises(InvalidAnswer) as refused:
        validate_final(q, {**inputs, f"{voted.id}_1": units[0]})
    assert "niet allebei" in refused.value.errors[0].message
    stricter = q.model_copy(
        update={
            "final": q.final.model_copy(update={"questions": (ranked.model_copy(update={"min_choices": 4}), voted)})
        }
    )
    with pytest.raises(InvalidAnswer, match="minstens 4"):
        validate_final(stricter, inputs)


def test_a_response_stored_before_the_engine_was_generic_still_reads_and_continues():
    stored = {
        "wave_id": "w",
        "centre_id": "c",
        "respondent_id": "an@go.be",
        "kind": "member",
        "answers": {"behartiger": {"current_stadium": {"choices": ["planmatig"], "other_text": "", "explanation": ""}}},
        "closing": {
            "inspiring_practices": [],
            "no_inspiring_practice": True,
            "priorities": ["preventie", "plg", "teamwerk"],
        },
        "revision": 3,
    }
    response = Response.model_validate(stored)
    assert (response.questionnaire_id, response.questionnaire_version) == (SELF_SCAN, "2025-1")
    q = load_catalog().of(response)
    assert response.final_answer("inspiring_practices").declined
    assert response.final_answer("priorities").choices == ("preventie", "plg", "teamwerk")
    assert flow.next_step(q, response).page == "situering" and flow.next_step(q, response).unit_id == "behartiger"
    again = Response.model_validate_json(response.model_dump_json())
    assert again == response


def test_a_catalog_needs_at_least_one_questionnaire():
    with pytest.raises(ValueError):
        Catalog([])


def test_a_version_counts_from_its_release_day(tmp_path):
    shutil.copy(SELF_SCAN_FILE, tmp_path / SELF_SCAN_FILE.name)
    raw = _raw()
    raw.update(version="2027-1", released="2027-09-01")
    _write(tmp_path, "poolster-clb-2027-1.yaml", raw)
    files = [load_questionnaire(p) for p in sorted(tmp_path.glob("*.yaml"))]
    before = Catalog(files, today=lambda: date(2027, 8, 31))
    assert before.current(SELF_SCAN).version == "2025-1", "next year's edition waits for its day"
    assert before.get(SELF_SCAN, "2027-1").version == "2027-1", "yet it is known"
    assert Catalog(files, today=lambda: date(2027, 9, 1)).current(SELF_SCAN).version == "2027-1"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda raw: raw["questions"].append({**raw["questions"][0], "id": "nog_eens"}), "at most one agreement"),
        (
            lambda raw: raw["questions"].__setitem__(
                0, {"id": "stellingen", "type": "free_text", "short_label": "S", "text": "Iets?", "summary": "texts"}
            ),
            "a questionnaire for schools needs an agreement question",
        ),
    ],
)
def test_the_schools_survey_counts_one_agreement_question(tmp_path, change, message):
    raw = _raw(CONTENT_DIR / "scholen-clb-2025-1.yaml")
    change(raw)
    if raw["questions"][-1]["id"] == "nog_eens":
        raw["pages"][0]["questions"].append("nog_eens")
    with pytest.raises(ValueError, match=message):
        load_questionnaire(_write(tmp_path, "scholen.yaml", raw))
