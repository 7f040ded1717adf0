"""Where a respondent is, what comes next, and the changes a respondent can make.

All functions are pure: they take a Response and return a new one, so the caller decides when
to persist. The next step is derived from the answers themselves (never stored), which is what
makes "verder" return to the exact point after a restart or a double click.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from survey.answers import PAGE_IDS, ClosingAnswer, QuestionAnswer, Response
from survey.questionnaire import Bouwsteen, Questionnaire

StepKind = Literal["page", "overview", "closing", "confirm", "submitted"]


@dataclass(frozen=True)
class Step:
    kind: StepKind
    bouwsteen_id: str | None = None
    page: str | None = None


class SurveyLocked(Exception):
    """The response was submitted: it can be read, no longer changed."""


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int
    remaining: tuple[Bouwsteen, ...]
    closing_done: bool
    submitted: bool

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 100


def pages(questionnaire: Questionnaire) -> list[Step]:
    return [Step("page", b.id, page) for b in questionnaire.bouwstenen for page in PAGE_IDS]


def next_step(questionnaire: Questionnaire, response: Response) -> Step:
    if response.is_submitted:
        return Step("submitted")
    if response.editing is not None:
        return Step("page", *response.editing)
    for step in pages(questionnaire):
        if not response.is_page_answered(step.bouwsteen_id, step.page):
            return step
    return Step("confirm") if response.closing is not None else Step("overview")


def progress(questionnaire: Questionnaire, response: Response) -> Progress:
    remaining = tuple(b for b in questionnaire.bouwstenen if not response.is_bouwsteen_answered(b.id))
    total = len(questionnaire.bouwstenen)
    return Progress(
        answered=total - len(remaining),
        total=total,
        remaining=remaining,
        closing_done=response.closing is not None,
        submitted=response.is_submitted,
    )


def is_complete(questionnaire: Questionnaire, response: Response) -> bool:
    return response.closing is not None and all(
        response.is_bouwsteen_answered(b.id) for b in questionnaire.bouwstenen
    )


def _changed(response: Response, now: datetime, **update) -> Response:
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
    response: Response, bouwsteen_id: str, page: str, answers: dict[str, QuestionAnswer], now: datetime
) -> Response:
    merged = {**response.answers, bouwsteen_id: {**response.answers.get(bouwsteen_id, {}), **answers}}
    editing = response.editing
    if editing == (bouwsteen_id, page):
        # Changing a bouwsteen walks through both of its pages, then returns to where the user was.
        following = PAGE_IDS.index(page) + 1
        editing = (bouwsteen_id, PAGE_IDS[following]) if following < len(PAGE_IDS) else None
    return _changed(response, now, answers=merged, editing=editing)


def start_edit(response: Response, bouwsteen_id: str, now: datetime, page: str = PAGE_IDS[0]) -> Response:
    return _changed(response, now, editing=(bouwsteen_id, page))


def stop_edit(response: Response, now: datetime) -> Response:
    return response if response.editing is None else _changed(response, now, editing=None)


def save_closing(response: Response, closing: ClosingAnswer, now: datetime) -> Response:
    return _changed(response, now, closing=closing)


def submit(questionnaire: Questionnaire, response: Response, now: datetime) -> Response:
    if not is_complete(questionnaire, response):
        raise ValueError("cannot submit an incomplete response")
    return _changed(response, now, submitted_at=now, editing=None)
