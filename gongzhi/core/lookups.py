"""``field__any_of=ids``: the rows whose field is one of ``ids``, like ``__in``, for lists of thousands.

Django writes ``__in`` as ``IN (%s, %s, …)``, one placeholder per value, and psycopg's client-side binding
splits the statement at every placeholder in Python: a city's 13,000 estate ids cost ~60 ms per statement
before the database sees it, several times per wall refresh (docs/SCALING.md). On PostgreSQL ``any_of``
sends ``field = ANY(%s)`` with the ids as one array parameter, which the planner treats as it treats IN
(the same index scans). Elsewhere it is ``__in`` itself."""

from __future__ import annotations

from django.db.models import Field, ForeignObject
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class _AsArray:
    def as_postgresql(self, compiler, connection):
        if self.rhs_is_direct_value():
            lhs, lhs_params = self.process_lhs(compiler, connection)
            values = [value for value in self.rhs if value is not None]
            return f"{lhs} = ANY(%s)", (*lhs_params, values)
        return self.as_sql(compiler, connection)  # a subquery: IN (SELECT …) as usual


@Field.register_lookup
class AnyOf(_AsArray, In):
    lookup_name = "any_of"


@ForeignObject.register_lookup  # a foreign key reads its lookups from ForeignObject down, not from Field
class RelatedAnyOf(_AsArray, RelatedIn):
    lookup_name = "any_of"
