"""Many rows of one table in one statement, as fast as the driver takes them.

`import` writes thousands of dossiers, facts and stored timelines while it holds the write
lock; on SQLite, SQLAlchemy's preparation of each row's parameters was most of that time.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, insert


def insert_many(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """One executemany of these rows (each with the same columns). On SQLite, straight to
    the driver, each value made as SQLAlchemy makes it for its column (its type's bind
    processor: dates, times and booleans stored exactly as `connection.execute(insert(…))`
    stores them): preparing each row's parameters was most of SQLAlchemy's time, spent
    while the write lock is held. A column left out whose default SQLAlchemy computes
    (`default=`) is filled by Core, as before."""
    dialect = connection.dialect
    names = tuple(rows[0])
    if dialect.name != "sqlite" or any(column.default is not None and column.key not in names
                                       for column in table.columns):
        connection.execute(insert(table), rows)
        return
    assert all(len(row) == len(names) for row in rows)
    quote = dialect.identifier_preparer.quote
    processors = [(position, processor) for position, name in enumerate(names)
                  if (processor := table.c[name].type.dialect_impl(dialect)
                      .bind_processor(dialect)) is not None]
    values = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    parameters = []
    for row in rows:
        row_values = list(values(row))
        for position, processor in processors:
            row_values[position] = processor(row_values[position])
        parameters.append(tuple(row_values))
    connection.exec_driver_sql(
        f'INSERT INTO {quote(table.name)} ({", ".join(map(quote, names))}) '
        f'VALUES ({", ".join("?" for _ in names)})', parameters)
