"""The data that comes back when a user presses a button on one of our cards.

Teams sends an Action.Submit as a message whose `value` is the action's `data` merged with the
card's inputs (input id -> string, multi-selects comma-joined). Every payload is parsed by one
of these models; anything else (unknown fields, wrong types, a card from an older version) is
refused before it can touch any state.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, field_validator

# Bump when the shape of a card's data changes; cards of another version are answered politely.
CARD_VERSION = 1

# Raw input values are capped well above the answer limit so the rules can say "too long"
# while a hostile 100 KB value is refused outright.
InputText = Annotated[str, StringConstraints(max_length=10_000)]
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


class SavePagePayload(_Payload):
    action: Literal["save_page"]
    bouwsteen: Identifier
    page: Literal["situering", "context"]
    rev: int = Field(ge=0)
    current_stadium: InputText | None = None
    intention: InputText | None = None
    deliberate_choice: InputText | None = None
    deliberate_choice_explanation: InputText | None = None
    hefbomen: InputText | None = None
    hefbomen_explanation: InputText | None = None
    knelpunten: InputText | None = None
    knelpunten_explanation: InputText | None = None
    differences: InputText | None = None
    differences_other: InputText | None = None
    differences_explanation: InputText | None = None

    def inputs(self) -> dict[str, str]:
        return self.model_dump(
            exclude={"action", "v", "subject", "wave", "centre", "bouwsteen", "page", "rev"}, exclude_none=True
        )


class EditPayload(_Payload):
    action: Literal["edit"]
    bouwsteen: Identifier


class OverviewPayload(_Payload):
    action: Literal["overview"]


class ClosingPayload(_Payload):
    action: Literal["closing"]


class SaveClosingPayload(_Payload):
    action: Literal["save_closing"]
    rev: int = Field(ge=0)
    inspiring_practices_1: InputText | None = None
    inspiring_practices_2: InputText | None = None
    inspiring_practices_3: InputText | None = None
    inspiring_practices_none: InputText | None = None
    priorities_1: InputText | None = None
    priorities_2: InputText | None = None
    priorities_3: InputText | None = None
    priorities_4: InputText | None = None
    priorities_5: InputText | None = None

    def inputs(self) -> dict[str, str]:
        return self.model_dump(exclude={"action", "v", "subject", "wave", "centre", "rev"}, exclude_none=True)


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
    Union[
        StartPayload,
        SavePagePayload,
        EditPayload,
        OverviewPayload,
        ClosingPayload,
        SaveClosingPayload,
        SubmitPayload,
        PausePayload,
        CentreStartPayload,
        AdoptOwnPayload,
        ReportPayload,
        ConfirmLaunchPayload,
        CancelLaunchPayload,
        ApplyRegistryImportPayload,
        CancelRegistryImportPayload,
        ConfirmRemindPayload,
        CancelRemindPayload,
    ],
    Field(discriminator="action"),
]

_adapter = TypeAdapter(CardPayload)


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
    try:
        return _adapter.validate_python(value)
    except ValueError as error:
        raise PayloadRejected("invalid") from error


def action_data(action: str, **fields: object) -> dict[str, object]:
    """The `data` of an Action.Submit that parse_payload will accept."""
    return {"action": action, "v": CARD_VERSION, **{k: v for k, v in fields.items() if v is not None}}
