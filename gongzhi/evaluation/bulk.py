"""Fast inserts for the two places that write tens of thousands of rows at once (the recompute's
snapshots, the demo's answers): ``bulk_create`` spends most of its time compiling SQL per field,
psycopg's ``executemany`` sends one statement per row, and a huge multi-row statement spends
seconds in psycopg's placeholder parsing. PostgreSQL gets COPY; SQLite multi-row INSERTs."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

MAX_PARAMS = {"postgresql": 60000, "sqlite": 900}  # below PostgreSQL's 65535 and old SQLite's 999


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """INSERT ``rows`` (values already in their database form) into ``table`` (names from a model's
    ``_meta``, never user input), as many rows per statement as the parameter limit allows."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy_rows(table, columns, rows)
        return
    per_statement = max(1, MAX_PARAMS.get(connection.vendor, 900) // len(columns))
    quoted = connection.ops.quote_name(table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            sql = f"INSERT INTO {quoted} ({names}) VALUES " + ", ".join([one] * len(chunk))  # noqa: S608
            cursor.execute(sql, [value for row in chunk for value in row])


def _copy_rows(table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    quoted = connection.ops.quote_name(table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
