"""Security events as structured one-line log records, and the one logging set-up the CLI calls.

An operator (or a SIEM) must see wrong passwords, lockouts, replayed codes, recovery-code use and
support resets in the server output (ASVS 2.8.5, 16.3.1). ``emit("sign-in.password-failed",
user=..., ip=..., reason=...)`` writes one record on the ``mfa_portal.security`` logger; the
formatters below render it as ``key=value`` text or as one JSON object per line. Fields named like
secrets (passwords, codes, tokens, secret hashes, session ids) are dropped here, whatever a caller
passes, so a careless emission point cannot leak one.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import time
from typing import Any, TextIO

LOGGER_NAME = "mfa_portal.security"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMATS = ("text", "json")
_FIELDS = "security_fields"
_EVENT = "security_event"
_FORBIDDEN = ("password", "code", "token", "secret", "session", "hash")
_MAX_VALUE = 200  # characters; fields such as usernames are caller-chosen text

log = logging.getLogger(LOGGER_NAME)


@functools.lru_cache(maxsize=256)  # field names come from the code: a few dozen, asked every event
def _allowed(name: str) -> bool:
    lowered = name.lower()
    return not any(word in lowered for word in _FORBIDDEN)


def _clean(value: object) -> object:
    """Numbers and booleans stay; text loses control characters (no forged lines) and is bounded."""
    if isinstance(value, bool | int | float) or value is None:
        return value
    text = str(value)
    if not text.isprintable():  # checked whole first: every sign-in logs a few fields
        text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text[:_MAX_VALUE]


def emit(event: str, level: int = logging.INFO, /, **fields: object) -> None:
    """Log one security event; ``fields`` are e.g. ``user``, ``ip``, ``outcome``, ``reason``."""
    if not log.isEnabledFor(level):
        return
    clean = {key: _clean(value) for key, value in fields.items() if _allowed(key)}
    line = " ".join([f"event={event}", *(f"{k}={_text_value(v)}" for k, v in clean.items())])
    # Made here rather than by ``log.log``, which would look up its caller's file and line: always
    # this function's, so a frame walk per event (every sign-in logs one) for nothing.
    extra = {_EVENT: event, _FIELDS: clean}
    log.handle(log.makeRecord(LOGGER_NAME, level, __file__, 0, "%s", (line,), None, extra=extra))


def _text_value(value: object) -> str:
    if value is None:
        return "-"
    text = str(value)
    if text == "" or " " in text or "=" in text or '"' in text:
        return json.dumps(text, ensure_ascii=False)
    return text


class TextFormatter(logging.Formatter):
    """``2026-12-04T00:01:02Z WARNING mfa_portal.security event=totp.replayed user=bob ip=…``."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created))
        line = f"{stamp} {record.levelname} {record.name} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, then ``event`` and its fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
        }
        event = getattr(record, _EVENT, None)
        if event is None:
            out["message"] = record.getMessage()
        else:
            out["event"] = event
            out.update(getattr(record, _FIELDS, {}))
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class _PortalHandler(logging.Handler):
    """Writes to ``stream``, or to whatever ``sys.stderr`` is at the time of each record (so a
    replaced or captured stderr is followed); marks the handler a second set-up replaces."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__()
        self._stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stream = self._stream or sys.stderr
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:
            self.handleError(record)


def configure_logging(level: str = "INFO", fmt: str = "text", stream: TextIO | None = None) -> None:
    """Send every ``mfa_portal.*`` record at ``level`` or above to ``stream`` (stderr) as ``fmt``."""
    root = logging.getLogger("mfa_portal")
    for handler in list(root.handlers):
        if isinstance(handler, _PortalHandler):
            root.removeHandler(handler)
    handler = _PortalHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
