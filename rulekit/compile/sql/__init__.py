"""Compile a checked ruleset to SQL: the dialect-neutral generator and its dialects."""

from __future__ import annotations

from rulekit.compile.sql.generator import Column, Generator, Relation, Source, unsupported_report

DIALECTS = ("duckdb", "spark")


def generator_for(dialect: str) -> type[Generator]:
    """The generator class of a dialect name."""
    if dialect == "duckdb":
        from rulekit.compile.sql.duckdb import DuckDBGenerator

        return DuckDBGenerator
    if dialect == "spark":
        from rulekit.compile.sql.spark import SparkGenerator

        return SparkGenerator
    from rulekit.errors import RulekitError

    raise RulekitError(f"unknown SQL dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")


__all__ = [
    "Column",
    "Generator",
    "Relation",
    "Source",
    "DIALECTS",
    "generator_for",
    "unsupported_report",
]
