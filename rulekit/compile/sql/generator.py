"""Compile a checked Program to one SQL query: the dialect-neutral generator.

The generator is laid out by job, sqlglot-style — a dialect table and a generator built on it:

    relation.py     what a query reads: Relation, Source, Column (and DuckDB type → kind)
    dialect.py      the dialect table: facts and spellings a dialect overrides
    base.py         one compilation's state: the program, options and planned names
    arithmetic.py   exact arithmetic: date/timestamp shifts, exact integer division
    expressions.py  one `<node>_sql` method per expression node (_EXPRESSION_NODES)
    populations.py  population functions: windows, exact sums, frozen populations
    rawvalues.py    raw values' text forms: stripped, ASCII digits, a variant's tag/text
    reasons.py      the reasons of bad values, in semantics.py's words
    coercion.py     raw values → declared types, and each field's failure
    layout.py       the CTE chain every query starts with
    queries.py      the final SELECTs: labelled, rejected, decisions, population values
    generator.py    `Generator`, all of them together (this module)
    duckdb.py, spark.py   the dialects: subclasses overriding the dialect table

Each part is a mixin over `base.GeneratorBase` and builds on the parts it uses, so every module
imports only lower ones. A dialect overrides class attributes and methods of the table (and the
few others whose SQL differs); a construct it cannot express goes to `self.unsupported(msg)`,
which records it instead of crashing.
"""

from __future__ import annotations

from rulekit.compile.sql.expressions import _EXPRESSION_NODES
from rulekit.compile.sql.queries import Queries
from rulekit.compile.sql.relation import Column, Relation, Source

__all__ = ["_EXPRESSION_NODES", "Column", "Generator", "Relation", "Source", "unsupported_report"]


class Generator(Queries):
    """Compiles one Program. Dialect facts are class attributes; see duckdb.py, spark.py."""


def unsupported_report(gen: Generator) -> list[str]:
    return list(gen.unsupported_messages)
