"""Where a respondent is, what comes next, and the changes a respondent can make.

All functions are pure: they take a Response and return a new one, so the caller decides when
to persist. The next step is derived from the answers themselves (never stored), which is what
makes "verder" return to the exact point after a restart or a double click.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from survey.answers import QuestionAnswer, Response
from survey.questionnaire import Questionnaire, Unit

StepKind = Literal["page", "overview", "closing", "confirm", "submitted"]


@dataclass(frozen=True)
class Step:
    kind: StepKind
    unit_id: str | None = None
    page: str | None = None


class SurveyLocked(Exception):
    """The response was submitted: it can be read, no longer changed."""


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int
    remaining: tuple[Unit, ...]
    closing_done: bool
    submitted: bool

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 100


def pages(questionnaire: Questionnaire) -> list[Step]:
    return [Step("page", u.id, page) for u in questionnaire.units for page in questionnaire.page_ids]


def next_step(questionnaire: Questionnaire, response: Response) -> Step:
    if response.is_submitted:
        return Step("submitted")
    if response.editing is not None:
        return Step("page", *response.editing)
    for step in pages(questionnaire):
        if (
            step.unit_id is not None
            and step.page is not None
            and not response.is_page_answered(questionnaire, step.unit_id, step.page)
        ):
            return step
    return Step("confirm") if response.closing is not None else Step("overview")


def progress(questionnaire: Questionnaire, response: Response) -> Progress:
    remaining = tuple(u for u in questionnaire.units if not response.is_unit_answered(questionnaire, u.id))
    total = len(questionnaire.units)
    return Progress(
        answered=total - len(remaining),
        total=total,
        remaining=remaining,
        closing_done=response.closing is not None,
        submitted=response.is_submitted,
    )


def is_complete(questionnaire: Questionnaire, response: Response) -> bool:
    return response.closing is not None and all(
        response.is_unit_answered(questionnaire, u.id) for u in questionnaire.units
    )


def _changed(response: Response, now: datetime, **update: object) -> Response:
    if response.is_submitted:
        raise SurveyLocked()
    return response.model_copy(
        update={
            **update,
            "started_at": response.started_at or now,
            "updated_at": now,
            "revision": response.revision + 1,
        }
    )


def start(response: Response, now: datetime) -> Response:
    if response.started_at is not None or response.is_submitted:
        return response
    return _changed(response, now)


def save_page(
    questionnaire: Questionnaire,
    response: Response,
    unit_id: str,
    page: str,
    answers: dict[str, QuestionAnswer],
    now: datetime,
) -> Response:
    # The page's answers replace what it held: an optional question emptied is no longer answered.
    kept = {
        qid: a for qid, a in response.answers.get(unit_id, {}).items() if qid not in questionnaire.page(page).questions
    }
    merged = {**response.answers, unit_id: {**kept, **answers}}
    editing = response.editing
    if editing == (unit_id, page):
        # Changing a unit walks through all of its pages, then returns to where the user was.
        following = questionnaire.page_ids.index(page) + 1
        editing = (unit_id, questionnaire.page_ids[following]) if following < len(questionnaire.page_ids) else None
    return _changed(response, now, answers=merged, editing=editing)


def start_edit(
    questionnaire: Questionnaire, response: Response, unit_id: str, now: datetime, page: str | None = None
) -> Response:
    return _changed(response, now, editing=(unit_id, page or questionnaire.page_ids[0]))


def stop_edit(response: Response, now: datetime) -> Response:
    return response if response.editing is None else _changed(response, now, editing=None)


def save_closing(response: Response, closing: dict[str, QuestionAnswer], now: datetime) -> Response:
    return _changed(response, now, closing=closing)


def submit(questionnaire: Questionnaire, response: Response, now: datetime) -> Response:
    if not is_complete(questionnaire, response):
        raise ValueError("cannot submit an incomplete response")
    return _changed(response, now, submitted_at=now, editing=None)
