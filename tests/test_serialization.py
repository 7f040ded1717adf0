"""The fast path for plain JSON gives exactly what msrest's generic serialiser gives."""

from __future__ import annotations

from datetime import datetime, timezone

from botbuilder.schema import Activity, Attachment
from msrest.serialization import Serializer

from bot.serialization import _generic_serialize_object, _serialize_object
from cards.respondent import help_card


def test_a_card_activity_serialises_the_same_and_other_values_take_msrests_path():
    card = help_card(role="member", is_admin=True)
    activity = Activity(
        type="message", attachments=[Attachment(content_type="application/vnd.microsoft.card.adaptive", content=card)]
    )
    serializer = Serializer({"Activity": Activity, "Attachment": Attachment})
    generic = serializer.body(activity, "Activity")
    try:
        Serializer.serialize_object = _serialize_object
        fast = serializer.body(activity, "Activity")
    finally:
        Serializer.serialize_object = _generic_serialize_object
    assert fast == generic and fast["attachments"][0]["content"] == card

    odd = {"when": datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc), "nan": float("nan"), "n": [1, "x"]}
    fast_odd = _serialize_object(serializer, odd)
    assert fast_odd["when"] == _generic_serialize_object(serializer, odd)["when"]
    assert fast_odd["n"] == [1, "x"]
