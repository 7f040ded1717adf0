"""msrest, made fit for Teams: a fast path for serialising plain JSON values (the Adaptive Cards we
send), and error pages that are not JSON read by their status.

botbuilder serialises every outgoing activity with msrest, whose generic `serialize_object` walks an
attachment's content value by value in Python (with an `eval` per basic value): 3–5 ms of CPU for
one of our ≈10 KB cards, the largest single cost of a turn. A card is plain JSON already, so a
json round trip (in C) gives the same result; anything that is not plain JSON (a datetime, a model)
makes json fail and takes msrest's own path.
"""

from __future__ import annotations

import json

from msrest.pipeline.universal import RawDeserializer
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


_raw_on_response = RawDeserializer.on_response


def _on_response(self: RawDeserializer, request, response, **kwargs):
    # An error page that is not JSON (a proxy's HTML 502, Teams' own 400 page) would make msrest raise
    # a DeserializationError before the status is looked at: the call could neither be classified
    # nor retried. Leave its body unread, so the status decides (bot.delivery.classify_status).
    http_response = response.http_response
    content_type = (http_response.headers.get("content-type") or "").lower()
    if http_response.status_code >= 400 and "json" not in content_type:
        response.context[self.CONTEXT_NAME] = None
        return
    _raw_on_response(self, request, response, **kwargs)


def classify_error_pages_by_status() -> None:
    RawDeserializer.on_response = _on_response
