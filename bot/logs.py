"""Structured logs: one JSON object per line, with the ids that let you follow a turn.

Only fields that are safe are written: ids, types, counts, reasons. Never message text, answers,
tokens or secrets — callers pass those nowhere near the logger, and the formatter drops any
`extra` key that is not on the allow list.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

SAFE_FIELDS = frozenset(
    {
        "conversation_id",
        "activity_id",
        "activity_type",
        "tenant",
        "reason",
        "attempt",
        "status",
        "wave_id",
        "centre_id",
        "recipients",
        "sent",
        "failed",
        "queued",
        "duration_ms",
        "store",
        "auth",
        "tenants",
        "version",
        "port",
        "kind",
        "count",
        "path",
        "method",
        "item_id",
        "action",
        "graph",
    }
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        entry.update({key: value for key, value in record.__dict__.items() if key in SAFE_FIELDS})
        if record.exc_info:
            # The exception type and where it happened; not its message, which may quote user input.
            error_type, _, traceback = record.exc_info
            entry["error"] = error_type.__name__ if error_type else "unknown"
            frames = []
            while traceback is not None:
                frames.append(f"{traceback.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{traceback.tb_lineno}")
                traceback = traceback.tb_next
            entry["where"] = frames[-3:]
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiohttp's access log line would carry query strings (download tokens): keep it quiet.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
