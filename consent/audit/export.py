"""Exports of the sequenced log: JSON Lines (verifiable offline) and CSV (for spreadsheets).

A JSON Lines line is an entry's canonical document plus `leafHash`; see
`consent.audit.canonical`. CSV has the same columns, with `details` as a
JSON string.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from consent.audit.canonical import CANONICAL_MEMBERS

CSV_COLUMNS = (*CANONICAL_MEMBERS, "leafHash")


def jsonl_lines(documents: Iterable[dict[str, Any]]) -> Iterator[str]:
    for document in documents:
        yield json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def csv_lines(documents: Iterable[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for document in documents:
        row = dict(document)
        row["details"] = json.dumps(row.get("details"), sort_keys=True, ensure_ascii=False)
        writer.writerow(["" if row.get(column) is None else row[column] for column in CSV_COLUMNS])
        yield flush()
