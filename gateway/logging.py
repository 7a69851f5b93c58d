"""Structured JSON logging with a request id, and no national identity number in any line."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

# Eleven digits standing alone: the shape of a fødselsnummer or D-number. Redacting
# every such run errs on the safe side; no log field needs an 11-digit value.
_IDENTITY_NUMBER = re.compile(r"(?<!\d)\d{6}[\s.-]?\d{5}(?!\d)")
REDACTED = "[redacted-identity-number]"


def redact_identity_numbers(text: str) -> str:
    return _IDENTITY_NUMBER.sub(REDACTED, text)


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return redact_identity_numbers(value)
    if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) == 11:
        return REDACTED
    if isinstance(value, Mapping):
        return {key: _redact(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_redact(item) for item in value]
    return value


def redact_processor(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: replace anything shaped like a national identity number."""
    for key, value in list(event_dict.items()):
        event_dict[key] = _redact(value)
    return event_dict


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stdout` is at the time, so redirected output is honoured."""

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(level: str = "info") -> None:
    """Send structlog and standard-library records to stdout as one JSON object per line."""
    numeric_level = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    structlog.configure(
        processors=[
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        cache_logger_on_first_use=True,
    )
    # Redaction runs last, after exception text has been rendered into the event.
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_processor,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )
    handler = _StdoutHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(numeric_level)
    # uvicorn's access log repeats what our request log says, with the raw path.
    logging.getLogger("uvicorn.access").disabled = True
    # httpx logs every registry URL, and the registries' real paths carry the person's
    # number: keep those records from being made at all, not only redacted on output.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
