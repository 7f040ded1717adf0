"""Complete responses built through the real rules (validate_page, the flow), without Teams."""

from __future__ import annotations

from datetime import datetime

from survey import progress as flow
from survey.answers import Response, validate_final, validate_page
from survey.questionnaire import Questionnaire

DEFAULT_CONTEXT = {
    "deliberate_choice": "welbewust",
    "hefbomen": "mensen_cultuur",
    "knelpunten": "geen",
    "differences": "nee",
}
DEFAULT_CLOSING = {
    "priorities_1": "teamwerk",
    "priorities_2": "plg",
    "priorities_3": "preventie",
    "inspiring_practices_1": "behartiger",
}


def _started(
    q: Questionnaire, wave_id: str, centre_id: str, respondent_id: str, name: str, kind: str, now: datetime
) -> Response:
    """A response begun on this questionnaire version, nothing answered yet."""
    return flow.start(
        Response(
            wave_id=wave_id,
            centre_id=centre_id,
            respondent_id=respondent_id,
            respondent_name=name,
            kind=kind,
            questionnaire_id=q.id,
            questionnaire_version=q.version,
        ),
        now,
    )


def filled_response(
    q: Questionnaire,
    *,
    wave_id: str,
    centre_id: str,
    respondent_id: str,
    now: datetime,
    stadium: str | dict[str, str] = "planmatig",
    target: str | dict[str, str] | None = None,
    context: dict | None = None,
    closing: dict | None = None,
    kind: str = "member",
    submit: bool = True,
    respondent_name: str = "",
) -> Response:
    """Every bouwsteen answered; `stadium`/`target` per bouwsteen id or one for all (target None = one higher)."""
    response = _started(q, wave_id, centre_id, respondent_id, respondent_name, kind, now)
    stadia = q.scale("stadia").level_ids
    for bouwsteen in q.units:
        current = stadium[bouwsteen.id] if isinstance(stadium, dict) else stadium
        goal = target[bouwsteen.id] if isinstance(target, dict) else target
        if goal is None:
            goal = stadia[min(stadia.index(current) + 1, 3)]
        intention = "aanhouden" if goal == current else goal
        response = flow.save_page(
            q,
            response,
            bouwsteen.id,
            "situering",
            validate_page(q, bouwsteen, "situering", {"current_stadium": current, "intention": intention}),
            now,
        )
        response = flow.save_page(
            q,
            response,
            bouwsteen.id,
            "context",
            validate_page(q, bouwsteen, "context", {**DEFAULT_CONTEXT, **(context or {})}),
            now,
        )
    response = flow.save_closing(response, validate_final(q, closing or DEFAULT_CLOSING), now)
    return flow.submit(q, response, now) if submit else response


def school_response(
    q: Questionnaire,
    *,
    wave_id: str,
    centre_id: str,
    school_id: str,
    now: datetime,
    rating: str | dict[str, str] = "eerder_wel",
    comment: str = "",
    final: str = "",
    submit: bool = True,
    school_name: str = "",
) -> Response:
    """A school's answers to every statement: one rating for all, or per statement id."""
    response = _started(q, wave_id, centre_id, school_id, school_name, "school", now)
    agreement = next(question for question in q.questions if question.type == "agreement")
    texts = [question for question in q.questions if question.type == "free_text"]
    for unit in q.units:
        inputs = {
            f"{agreement.id}_{s.id}": rating[s.id] if isinstance(rating, dict) else rating for s in unit.statements
        }
        inputs.update({t.id: comment for t in texts if comment})
        for page in q.page_ids:
            response = flow.save_page(q, response, unit.id, page, validate_page(q, unit, page, inputs), now)
    final_inputs = {question.id: final for question in q.final.questions if final}
    response = flow.save_closing(response, validate_final(q, final_inputs), now)
    return flow.submit(q, response, now) if submit else response
