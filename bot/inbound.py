"""What may enter /api/messages: headers checked first, then a bounded JSON body, then an activity's shape.

Every check raises `Refused` with the HTTP status to answer (always a 4xx) and a short reason for
the log, so a malformed request costs a header look-up or one bounded parse and never reaches the
bot. The order matters and is kept by app.py: headers, then the token (bot/auth.py), then the body.
"""

from __future__ import annotations

import json
import math

from aiohttp import web
from botbuilder.schema import Activity

# Teams' activities nest five or six levels deep (channelData, entities, a card's data); a hundred
# leaves room for attachments while stopping the nesting attacks long before any recursion limit.
MAX_DEPTH = 100
UTF8 = ("utf-8", "utf8")


class Refused(Exception):
    """The request is not something Teams sends; answer `status` (a 4xx) without further work."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def check_headers(request: web.Request, max_body_bytes: int) -> None:
    """Content type, charset, encoding and declared size: all before a byte of the body is read."""
    if request.content_type != "application/json":
        raise Refused(415, "Content-Type must be application/json")
    if request.charset is not None and request.charset.lower() not in UTF8:
        raise Refused(415, "the body must be UTF-8")
    if request.headers.get("Content-Encoding", "identity").strip().lower() != "identity":
        # Teams never compresses what it posts; decompressing would also undo the size limit.
        raise Refused(415, "Content-Encoding is not supported")
    if request.content_length is not None and request.content_length > max_body_bytes:
        raise Refused(413, "body too large")


async def read_body(request: web.Request) -> dict:
    """The body as a JSON object, parsed within the size limit (aiohttp's client_max_size) and MAX_DEPTH."""
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise Refused(413, "body too large") from None
    return parse_json(raw)


def _refuse_constant(name: str) -> float:
    raise Refused(400, f"{name} is not JSON")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise Refused(400, "number out of range")
    return number


def parse_json(raw: bytes) -> dict:
    try:
        text = raw.decode("utf-8")
        body = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    except RecursionError:
        raise Refused(400, "body nested too deeply") from None
    except (ValueError, UnicodeDecodeError):  # also ints longer than Python converts
        raise Refused(400, "body is not valid JSON") from None
    _check_depth_and_text(body)
    if not isinstance(body, dict):
        raise Refused(400, "body is not an activity")
    return body


def _check_depth_and_text(body: object) -> None:
    """Refuse nesting deeper than MAX_DEPTH and strings that are not valid Unicode (lone surrogates)."""
    stack: list[tuple[object, int]] = [(body, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            items = [*node.keys(), *node.values()]
        elif isinstance(node, list):
            items = node
        else:
            _check_text(node)
            continue
        if depth > MAX_DEPTH:
            raise Refused(400, "body nested too deeply")
        stack.extend((item, depth + 1) for item in items)


def _check_text(node: object) -> None:
    if isinstance(node, str) and not node.isascii():
        try:
            node.encode("utf-8")
        except UnicodeEncodeError:
            raise Refused(400, "body holds text that is not valid Unicode") from None


def activity_from(body: dict) -> Activity:
    """The activity, if it has what every turn relies on: who sent it, where, to whom, and from which service."""
    if not isinstance(body.get("type"), str):
        raise Refused(400, "body is not an activity")
    try:
        activity = Activity().deserialize(body)
    except Exception:
        raise Refused(400, "body is not an activity") from None
    for part in ("from", "conversation", "recipient"):
        account = body.get(part)
        if not isinstance(account, dict) or not isinstance(account.get("id"), str) or not account["id"]:
            raise Refused(400, f"activity lacks {part}.id")
    if not isinstance(body.get("serviceUrl"), str) or not body["serviceUrl"]:
        raise Refused(400, "activity lacks serviceUrl")
    channel_data = body.get("channelData")
    if channel_data is not None:
        tenant = channel_data.get("tenant") if isinstance(channel_data, dict) else None
        if not isinstance(channel_data, dict) or (
            tenant is not None and not (isinstance(tenant, dict) and isinstance(tenant.get("id", ""), str))
        ):
            raise Refused(400, "activity has channelData of another shape than Teams sends")
    return activity
