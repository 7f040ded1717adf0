"""A fast path for msrest's serialisation of plain JSON values (the Adaptive Cards we send).

botbuilder serialises every outgoing activity with msrest, whose generic `serialize_object` walks an
attachment's content value by value in Python (with an `eval` per basic value): 3–5 ms of CPU for
one of our ≈10 KB cards, the largest single cost of a turn. A card is plain JSON already, so a
json round trip (in C) gives the same result; anything that is not plain JSON (a datetime, a model)
makes json fail and takes msrest's own path.
"""

from __future__ import annotations

import json

from msrest.serialization import Serializer

_generic_serialize_object = Serializer.serialize_object


def _serialize_object(self: Serializer, attr, **kwargs):
    if type(attr) in (dict, list):
        try:
            return json.loads(json.dumps(attr, allow_nan=False))
        except (TypeError, ValueError):
            pass  # not plain JSON: msrest knows what to do with it
    return _generic_serialize_object(self, attr, **kwargs)


def use_fast_json_serialization() -> None:
    Serializer.serialize_object = _serialize_object
