"""Fast inserts and upserts for the places that write tens of thousands of rows at once (the recompute's
snapshots, the demo's answers, the wall's kept statuses): ``bulk_create`` spends most of its time
compiling SQL per field, psycopg's ``executemany`` sends one statement per row, and a huge multi-row
statement spends seconds in psycopg's placeholder parsing. PostgreSQL gets COPY (into the table, or into a
temporary table that one INSERT … ON CONFLICT then merges); SQLite multi-row INSERTs."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

MAX_PARAMS = {"postgresql": 60000, "sqlite": 900}  # below PostgreSQL's 65535 and old SQLite's 999
# Below this many rows an upsert is one multi-row statement on PostgreSQL too: the staging table's
# CREATE and DROP cost more than the parsing they save (a single estate's refresh writes a few rows).
STAGE_FROM = 1000


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


def upsert_rows(
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple],
    *,
    conflict: Sequence[str],
    update: Sequence[str],
) -> None:
    """INSERT ``rows`` into ``table``, and where a row with the same ``conflict`` columns (a unique
    constraint) exists, set its ``update`` columns to the new values instead. Names from a model's
    ``_meta``, never user input; values already in their database form. Callers hold a transaction."""
    if not rows:
        return
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    on_conflict = f" ON CONFLICT ({', '.join(qn(c) for c in conflict)}) DO UPDATE SET " + ", ".join(
        f"{qn(c)} = EXCLUDED.{qn(c)}" for c in update
    )
    if connection.vendor == "postgresql" and len(rows) >= STAGE_FROM:
        staging = qn(f"upsert_{table}")
        with connection.cursor() as cursor:
            # The staging table lives until the transaction ends (ON COMMIT DROP) and takes the target's
            # column types, so COPY parses each value as the target would.
            cursor.execute(
                f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {names} FROM {qn(table)} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {qn(table)} ({names}) SELECT {names} FROM {staging}{on_conflict}"  # noqa: S608
            )
            cursor.execute(f"DROP TABLE {staging}")
        return
    per_statement = max(1, min(STAGE_FROM, MAX_PARAMS.get(connection.vendor, 900) // len(columns)))
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            sql = (
                f"INSERT INTO {qn(table)} ({names}) VALUES "  # noqa: S608
                + ", ".join([one] * len(chunk))
                + on_conflict
            )
            cursor.execute(sql, [value for row in chunk for value in row])
