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


# ---- reading options (docs/data.md): the same flags on run, explain, freeze and profile
class Labels(enum.StrEnum):
    id = "id"
    name = "name"
    both = "both"


_READING = "Reading the data"
MemoryLimit = Annotated[
    str | None,
    typer.Option(
        "--memory-limit",
        metavar="SIZE",
        help="DuckDB's memory limit, e.g. 2GB (it spills to disk beyond it).",
    ),
]
Na = Annotated[
    str | None,
    typer.Option(
        "--na",
        metavar="TOKEN,…",
        help="Cells read as missing, e.g. 'NA,-,无' (replaces the default set; see docs/data.md).",
        rich_help_panel=_READING,
    ),
]
DecimalComma = Annotated[
    bool,
    typer.Option(
        "--decimal-comma",
        help="Numbers are written 1.234,5 (European): the comma is the decimal point.",
        rich_help_panel=_READING,
    ),
]
DateFormat = Annotated[
    str | None,
    typer.Option(
        "--date-format",
        metavar="FORMAT",
        help="How dates are written when not YYYY-MM-DD, e.g. %d/%m/%Y.",
        rich_help_panel=_READING,
    ),
]
Delimiter = Annotated[
    str | None,
    typer.Option(
        "--delimiter",
        metavar="CHAR",
        help="The CSV delimiter (default: detected; 'tab' for a tab).",
        rich_help_panel=_READING,
    ),
]
DataEncoding = Annotated[
    str | None,
    typer.Option(
        "--data-encoding",
        metavar="NAME",
        help="The input's text encoding, e.g. gbk (default: UTF-8, else GBK, detected).",
        rich_help_panel=_READING,
    ),
]
Sheet = Annotated[
    str | None,
    typer.Option(
        "--sheet",
        metavar="NAME|N",
        help="The workbook sheet to read, by name or number from 1 (default: the first table).",
        rich_help_panel=_READING,
    ),
]
HeaderRow = Annotated[
    int | None,
    typer.Option(
        "--header-row",
        metavar="N",
        min=1,
        help="The sheet row (from 1) that names the columns (default: detected).",
        rich_help_panel=_READING,
    ),
]
DataFormat = Annotated[
    str | None,
    typer.Option(
        "--data-format",
        metavar="EXT",
        help="With --data -: the format of standard input (csv, tsv, jsonl; default csv).",
        rich_help_panel=_READING,
    ),
]
Params = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        metavar="NAME=VALUE",
        help="Override a shared parameter of the rules, e.g. --param sleeping_after=200d "
        "(repeatable; the value is written as in a rule file).",
    ),
]
