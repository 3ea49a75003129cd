"""The options several commands share, each defined once: the choices (--format, --on-error,
--engine, --dialect), the ready-made option types (--quiet, --format, --as-of, a RULESET argument), and
makers for the options whose flag is shared but whose help says what it means for one command
(--data, --out, --as-of, --on-error, --engine, --population).
"""

from __future__ import annotations

import enum
from typing import Annotated

import typer
from typer.models import ArgumentInfo, OptionInfo


class Format(enum.StrEnum):
    text = "text"
    json = "json"


class OnError(enum.StrEnum):
    fail = "fail"
    skip = "skip"
    quarantine = "quarantine"


class Engine(enum.StrEnum):
    auto = "auto"
    python = "python"
    duckdb = "duckdb"
    spark = "spark"  # rulekit run only: never chosen by auto


class Dialect(enum.StrEnum):
    duckdb = "duckdb"
    spark = "spark"


def data_option(help: str) -> OptionInfo:
    """--data/-d FILE: the data file a command reads."""
    option: OptionInfo = typer.Option("--data", "-d", metavar="FILE", help=help)
    return option


def out_option(help: str) -> OptionInfo:
    """--out/-o FILE: the file a command writes."""
    option: OptionInfo = typer.Option("--out", "-o", metavar="FILE", help=help)
    return option


def as_of_option(help: str) -> OptionInfo:
    """--as-of DATE: the date that stands for 'today'."""
    option: OptionInfo = typer.Option("--as-of", metavar="DATE", help=help)
    return option


def on_error_option(help: str) -> OptionInfo:
    """--on-error fail|skip|quarantine: what a bad record (or row) does."""
    option: OptionInfo = typer.Option("--on-error", help=help)
    return option


def engine_option(help: str) -> OptionInfo:
    """--engine auto|python|duckdb."""
    option: OptionInfo = typer.Option("--engine", help=help)
    return option


def population_option(help: str) -> OptionInfo:
    """--population FILE: what population functions rank against."""
    option: OptionInfo = typer.Option("--population", metavar="FILE", help=help)
    return option


def _ruleset_argument(help: str) -> ArgumentInfo:
    argument: ArgumentInfo = typer.Argument(metavar="RULESET", help=help)
    return argument


Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print only errors (and the result itself).")
]
Fmt = Annotated[Format, typer.Option("--format", help="text or json.")]
AsOf = Annotated[str | None, as_of_option("Pin 'today' (YYYY-MM-DD). Default: today.")]
RulesetArg = Annotated[str, _ruleset_argument("A rule file or a shipped ruleset id.")]
