"""The data that comes back when a user presses a button on one of our cards.

Teams sends an Action.Submit as a message whose `value` is the action's `data` merged with the
card's inputs (input id -> string, multi-selects comma-joined). Every payload is parsed by one
of these models; anything else (unknown fields, wrong types, a card from an older version) is
refused before it can touch any state.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, field_validator, model_validator

# Bump when the shape of a card's data changes; cards of another version are answered politely.
CARD_VERSION = 1

# Raw input values are capped well above the answer limit so the rules can say "too long"
# while a hostile 100 KB value is refused outright.
MAX_INPUT_LENGTH = 10_000
# An input id as survey.answers builds them ("hefbomen_explanation", "stellingen_s04"); a page has a
# few dozen at most.
INPUT_KEY = re.compile(r"[a-z][a-z0-9_]{0,99}")
MAX_INPUTS = 100
Identifier = Annotated[str, StringConstraints(max_length=200)]


class _Payload(BaseModel):
    # strict: our cards send exact JSON types, so `"v": true`, `"rev": "3"` or `"rev": 1.0` are not ours.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    v: Literal[CARD_VERSION]
    # Whose answers: the user's own, or (directors only) the centre's consolidated answer.
    subject: Literal["self", "centre"] = "self"
    wave: Identifier | None = None
    centre: Identifier | None = None

    @field_validator("v", mode="before")
    @classmethod
    def _an_int_not_a_bool(cls, value: object) -> object:
        # A Literal of 1 takes True and 1.0 even when strict.
        if type(value) is not int:
            raise ValueError("v must be an integer")
        return value


class StartPayload(_Payload):
    action: Literal["start"]


class _WithInputs(_Payload):
    """A card whose inputs come along: the extra keys, each an input id of the questionnaire's page.

    Which ids a page may send depends on the wave's questionnaire, so the dialog checks the keys
    (`unknown_inputs`) before validating; here only their shape and size are bounded."""

    model_config = ConfigDict(extra="allow", frozen=True, strict=True)

    @model_validator(mode="after")
    def _bounded_inputs(self) -> _WithInputs:
        extra = self.model_extra or {}
        if len(extra) > MAX_INPUTS:
            raise ValueError("too many inputs")
        for key, value in extra.items():
            if not INPUT_KEY.fullmatch(key):
                raise ValueError("not an input id")
            if not isinstance(value, str) or len(value) > MAX_INPUT_LENGTH:
                raise ValueError("an input is a bounded string")
        return self

    def inputs(self) -> dict[str, str]:
        return dict(self.model_extra or {})

    def unknown_inputs(self, allowed: frozenset[str]) -> bool:
        """Whether the card sent an input the page does not have: then it is not one of our cards."""
        return not set(self.inputs()) <= allowed


class SavePagePayload(_WithInputs):
    action: Literal["save_page"]
    # The unit (a bouwsteen, a theme of statements) and its page, as the questionnaire names them.
    unit: Identifier
    page: Identifier
    rev: int = Field(ge=0)


class EditPayload(_Payload):
    action: Literal["edit"]
    unit: Identifier


class OverviewPayload(_Payload):
    action: Literal["overview"]


class ClosingPayload(_Payload):
    action: Literal["closing"]


class SaveClosingPayload(_WithInputs):
    action: Literal["save_closing"]
    rev: int = Field(ge=0)


class SubmitPayload(_Payload):
    action: Literal["submit"]
    rev: int = Field(ge=0)


class PausePayload(_Payload):
    action: Literal["pause"]


class CentreStartPayload(_Payload):
    action: Literal["centre_start"]


class AdoptOwnPayload(_Payload):
    action: Literal["adopt_own"]


class ReportPayload(_Payload):
    action: Literal["report"]


class ConfirmLaunchPayload(_Payload):
    action: Literal["confirm_launch"]
    # Close the waves already open for these centres first, instead of running beside them.
    close_others: bool = False


class CancelLaunchPayload(_Payload):
    action: Literal["cancel_launch"]


class ApplyRegistryImportPayload(_Payload):
    action: Literal["apply_registry_import"]
    # Which preview: an older preview card cannot apply a newer file.
    token: Identifier


class CancelRegistryImportPayload(_Payload):
    action: Literal["cancel_registry_import"]
    token: Identifier


class ConfirmRemindPayload(_Payload):
    action: Literal["confirm_remind"]


class CancelRemindPayload(_Payload):
    action: Literal["cancel_remind"]


# POC+'s card actions: the only ones served in a channel (a launch confirmed in the community team).
ADMIN_ACTIONS = frozenset({"confirm_launch", "cancel_launch", "confirm_remind", "cancel_remind"})


CardPayload = Annotated[
    StartPayload
    | SavePagePayload
    | EditPayload
    | OverviewPayload
    | ClosingPayload
    | SaveClosingPayload
    | SubmitPayload
    | PausePayload
    | CentreStartPayload
    | AdoptOwnPayload
    | ReportPayload
    | ConfirmLaunchPayload
    | CancelLaunchPayload
    | ApplyRegistryImportPayload
    | CancelRegistryImportPayload
    | ConfirmRemindPayload
    | CancelRemindPayload,
    Field(discriminator="action"),
]

_adapter = TypeAdapter(CardPayload)


OUTDATED_CARD = (
    "Deze kaart komt uit een oudere versie van Poolster en kan niet meer gebruikt worden. "
    "Je antwoorden zijn niet gewijzigd. Typ *verder* om verder te gaan waar je was."
)
INVALID_CARD = (
    "Die gegevens kan ik niet verwerken; er is niets gewijzigd. Typ *verder* om verder te gaan waar je was, of *help*."
)


class PayloadRejected(Exception):
    """The submitted data is not something our cards send."""

    def __init__(self, reason: Literal["outdated", "invalid"]):
        super().__init__(reason)
        self.reason = reason


def parse_payload(value: object) -> CardPayload:
    if not isinstance(value, dict):
        raise PayloadRejected("invalid")
    if value.get("v") != CARD_VERSION and "action" in value:
        raise PayloadRejected("outdated")
    if value.get("action") in ("save_page", "edit") and "bouwsteen" in value:
        # A card sent before units were named generically (`unit`): from an older version of Poolster.
        raise PayloadRejected("outdated")
    try:
        return _adapter.validate_python(value)
    except ValueError as error:
        raise PayloadRejected("invalid") from error


def action_data(action: str, **fields: object) -> dict[str, object]:
    """The `data` of an Action.Submit that parse_payload will accept."""
    return {"action": action, "v": CARD_VERSION, **{k: v for k, v in fields.items() if v is not None}}
