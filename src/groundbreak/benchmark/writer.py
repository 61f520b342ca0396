"""Bulk row writer: COPY on PostgreSQL, executemany on SQLite.

Rows are tuples in the order of the attribute names given; ids are assigned by the generator, so
foreign keys need no round trip. Every NOT NULL column must be given (checked up front), because
COPY and raw INSERTs do not apply Django's field defaults.
"""

import datetime
import hashlib
import time
from collections.abc import Iterable

from django.core.management.color import no_style
from django.db import connection

BATCH = 20_000


class Writer:
    def __init__(self, *, verbose: bool = True, dry: bool = False):
        """`dry` writes nothing and keeps a digest of the rows instead (to check determinism)."""
        self.vendor = connection.vendor
        self.dry = dry
        self.digest = hashlib.sha256()
        self.verbose = verbose
        self.counts: dict[str, int] = {}
        self.timings: dict[str, float] = {}
        self.models = []

    def _columns(self, model, attnames):
        fields = [model._meta.get_field(a) for a in attnames]
        given = {f.column for f in fields}
        missing = [
            f.column
            for f in model._meta.concrete_fields
            if not f.null and f.column not in given and not (f.primary_key and f.column in given)
        ]
        if missing:
            raise ValueError(f"{model._meta.label}: NOT NULL columns not given: {missing}")
        return fields

    def write(self, model, attnames: list[str], rows: Iterable[tuple]) -> int:
        fields = self._columns(model, attnames)
        table = connection.ops.quote_name(model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        started = time.perf_counter()
        n = 0
        if self.dry:
            self.digest.update(table.encode())
            for row in rows:
                self.digest.update(repr(row).encode())
                n += 1
            self.counts[model._meta.db_table] = self.counts.get(model._meta.db_table, 0) + n
            return n
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                raw = cursor.cursor
                with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        n += 1
            else:
                dt = [i for i, f in enumerate(fields) if f.get_internal_type() == "DateTimeField"]
                sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(fields))})"
                batch = []
                for row in rows:
                    if dt:
                        row = list(row)
                        for i in dt:
                            v = row[i]
                            if isinstance(v, datetime.datetime) and v.tzinfo is not None:
                                row[i] = v.astimezone(datetime.UTC).replace(tzinfo=None)
                    batch.append(row)
                    if len(batch) >= BATCH:
                        cursor.executemany(sql, batch)
                        n += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    n += len(batch)
        label = model._meta.db_table
        self.counts[label] = self.counts.get(label, 0) + n
        self.timings[label] = self.timings.get(label, 0.0) + time.perf_counter() - started
        if model not in self.models:
            self.models.append(model)
        if self.verbose:
            print(f"  {label:<40} {n:>10,} rows  {time.perf_counter() - started:7.1f} s", flush=True)
        return n

    def reset_sequences(self) -> None:
        if self.dry:
            return
        statements = connection.ops.sequence_reset_sql(no_style(), self.models)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
