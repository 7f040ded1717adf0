"""Complete responses built through the real rules (validate_page, the flow), without Teams."""

from __future__ import annotations

from datetime import datetime

from survey import progress as flow
from survey.answers import Response, validate_closing, validate_page
from survey.questionnaire import STADIUM_IDS, Questionnaire

DEFAULT_CONTEXT = {"deliberate_choice": "welbewust", "hefbomen": "mensen_cultuur", "knelpunten": "geen",
                   "differences": "nee"}
DEFAULT_CLOSING = {"priorities_1": "teamwerk", "priorities_2": "plg", "priorities_3": "preventie",
                   "inspiring_practices_1": "behartiger"}


def filled_response(q: Questionnaire, *, wave_id: str, centre_id: str, respondent_id: str, now: datetime,
                    stadium: str | dict[str, str] = "planmatig", target: str | dict[str, str] | None = None,
                    context: dict | None = None, closing: dict | None = None, kind: str = "member",
                    submit: bool = True, respondent_name: str = "") -> Response:
    """Every bouwsteen answered; `stadium`/`target` per bouwsteen id or one for all (target None = one higher)."""
    response = flow.start(Response(wave_id=wave_id, centre_id=centre_id, respondent_id=respondent_id,
                                   respondent_name=respondent_name, kind=kind), now)
    for bouwsteen in q.bouwstenen:
        current = stadium[bouwsteen.id] if isinstance(stadium, dict) else stadium
        goal = target[bouwsteen.id] if isinstance(target, dict) else target
        if goal is None:
            goal = STADIUM_IDS[min(STADIUM_IDS.index(current) + 1, 3)]
        intention = "aanhouden" if goal == current else goal
        response = flow.save_page(response, bouwsteen.id, "situering", validate_page(
            q, bouwsteen, "situering", {"current_stadium": current, "intention": intention}), now)
        response = flow.save_page(response, bouwsteen.id, "context", validate_page(
            q, bouwsteen, "context", {**DEFAULT_CONTEXT, **(context or {})}), now)
    response = flow.save_closing(response, validate_closing(q, closing or DEFAULT_CLOSING), now)
    return flow.submit(q, response, now) if submit else response
