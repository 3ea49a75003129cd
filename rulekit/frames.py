"""Tables in, tables out: classify a pandas or polars DataFrame, a polars LazyFrame, a pyarrow
Table or RecordBatchReader, a DuckDB relation (or, with the Spark engine, a Spark DataFrame)
and get the same kind of table back, with the input's columns and each ruleset's results.

The rows never become Python records: the columns a ruleset reads go to DuckDB as Arrow
(pandas and polars columns convert to Arrow without copying where their memory allows), the
generated SQL runs there (engines.arrow_frames), and the result columns come back as Arrow and
join the input where it is (a pandas frame keeps its index and dtypes; the label columns are
pandas' nullable `string`). pandas and polars are optional: `pip install "rulekit-engine[pandas]"`
/ `"rulekit-engine[polars]"`; neither is imported unless the frame is one of theirs.
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
from collections.abc import Sequence
from decimal import Decimal
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from rulekit.compile.sql.generator import Column
from rulekit.engines.arrow_frames import (
    check_options,
    classify_table,
    freeze_table,
    relation_arrow,
    replaced_columns,
)
from rulekit.engines.duckdb_population import PopulationOrPath
from rulekit.engines.duckdb_sources import _arrow_column
from rulekit.engines.python import CompiledRuleset
from rulekit.errors import RulekitError

if TYPE_CHECKING:
    import pyarrow as pa

F = TypeVar("F")

# the optional libraries: module -> the extra that installs it
EXTRAS = {"pandas": "pandas", "polars": "polars", "pyspark": "spark"}


def optional(module: str) -> ModuleType:
    """An optional library, or an error naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        extra = EXTRAS.get(module.split(".")[0], module)
        raise RulekitError(
            f"this needs {module.split('.')[0]}, which is not installed: "
            f'pip install "rulekit-engine[{extra}]"'
        ) from None


def frame_kind(frame: object) -> str:
    """What kind of table this is: pandas, polars, polars-lazy, arrow, arrow-reader, duckdb,
    spark; found from its type's module, so that no optional library is imported to tell."""
    cls = type(frame)
    module, name = cls.__module__, cls.__name__
    top = module.split(".")[0]
    if top == "pandas" and name == "DataFrame":
        return "pandas"
    if top == "polars" and name in ("DataFrame", "LazyFrame"):
        return "polars" if name == "DataFrame" else "polars-lazy"
    if top == "pyspark" and name == "DataFrame":
        return "spark"
    if top in ("pyarrow", "duckdb", "_duckdb"):
        import pyarrow as pa

        if isinstance(frame, pa.Table):
            return "arrow"
        if isinstance(frame, pa.RecordBatchReader):
            return "arrow-reader"
        import duckdb

        if isinstance(frame, duckdb.DuckDBPyRelation):
            return "duckdb"
    raise RulekitError(
        f"classify_frame takes a pandas or polars DataFrame, a polars LazyFrame, a pyarrow "
        f"Table or RecordBatchReader, a DuckDB relation or a Spark DataFrame, not "
        f"{module}.{name}; for Python records use classify_many"
    )


def is_frame(value: object) -> bool:
    try:
        frame_kind(value)
    except RulekitError:
        return False
    return True


def classify_frame(
    frame: F,
    rulesets: CompiledRuleset | Sequence[CompiledRuleset],
    *,
    as_of: object = None,
    population: PopulationOrPath | Any = None,
    on_error: str = "fail",
    labels: str = "id",
) -> F:
    """The frame with, per ruleset, `<id>` (the label) and `<id>_rule` (the deciding rule) —
    see docs/frames.md. population: None (the frame itself), a FrozenPopulation, records, a
    file, or another frame."""
    check_options(on_error, labels)
    sets = [rulesets] if isinstance(rulesets, CompiledRuleset) else list(rulesets)
    if not sets:
        raise RulekitError("classify_frame needs at least one ruleset")
    kind = frame_kind(frame)
    if kind == "spark" and any(rs.named for rs in sets):
        raise RulekitError("named decisions (`decision NAME`) do not run on Spark yet")
    if kind == "spark":
        in_spark: F = _spark(frame, sets, as_of, population, on_error, labels)
        return in_spark
    data: Any = frame
    if kind == "polars-lazy":  # collected once: read, then joined by the results
        data, kind = frame.collect(), "polars"  # type: ignore[attr-defined]
    table, kinds = to_arrow(data, kind, _wanted(sets))
    populations = None
    if population is not None and is_frame(population):
        pop_table, pop_kinds = to_arrow(population, frame_kind(population), _wanted(sets))
        populations = [
            freeze_table(rs, pop_table, as_of, pop_kinds) if rs.compiled.pop_keys else None
            for rs in sets
        ]
    results = classify_table(
        sets,
        table,
        as_of=as_of,
        population=population if populations is None else None,
        populations=populations,
        on_error=on_error,
        labels=labels,
        kinds=kinds,
    )
    for rs in sets:  # named decisions: their columns after the others (engines/decisions.py)
        if rs.named:
            from rulekit.engines import classify_with_engine
            from rulekit.engines.decisions import decision_arrow_columns

            pop = (
                to_arrow(population, frame_kind(population), _wanted(sets))[0].to_pylist()
                if population is not None and is_frame(population)
                else population
            )
            batch = classify_with_engine(rs, table.to_pylist(), as_of, pop, "skip", "duckdb")
            for name, column in decision_arrow_columns(rs, batch):
                results = results.append_column(name, column)
    replaced = replaced_columns(sets, _column_names(data, kind), on_error, labels)
    out = _attach(data, kind, table, results, replaced)
    lazy: F = out.lazy() if data is not frame else out
    return lazy


def _wanted(rulesets: Sequence[CompiledRuleset]) -> list[str]:
    return list(dict.fromkeys(f.column for rs in rulesets for f in rs.program.fields.values()))


def _spark(
    frame: Any,
    rulesets: list[CompiledRuleset],
    as_of: object,
    population: Any,
    on_error: str,
    labels: str,
) -> Any:
    """A Spark DataFrame stays in Spark: the Spark engine (rulekit.spark) classifies it."""
    try:
        spark = importlib.import_module("rulekit.spark")
    except ModuleNotFoundError as e:
        if e.name is not None and not e.name.startswith("rulekit"):
            optional(e.name)  # pyspark itself is missing: name the extra
        raise RulekitError(
            "a Spark DataFrame is classified by rulekit's Spark engine, which this installation "
            'does not have: pip install "rulekit-engine[spark]"'
        ) from None
    return spark.classify_frame(
        frame, rulesets, as_of=as_of, population=population, on_error=on_error, labels=labels
    )


# ---------------------------------------------------------------------- to Arrow


def _column_names(frame: Any, kind: str) -> list[str]:
    if kind == "pandas":
        return [c for c in frame.columns if isinstance(c, str)]
    if kind == "arrow-reader":
        return list(frame.schema.names)
    if kind == "duckdb":
        return list(frame.columns)
    return list(frame.columns) if kind == "polars" else list(frame.column_names)


def to_arrow(frame: Any, kind: str, wanted: list[str]) -> tuple[pa.Table, dict[str, Column]]:
    """The frame as an Arrow table (the whole of it, or for pandas the wanted columns: the
    others never leave the frame), and the columns of mixed Python values, with their kind."""
    if kind == "pandas":
        return _pandas_arrow(frame, wanted)
    if kind == "polars":
        return frame.select([c for c in wanted if c in frame.columns]).to_arrow(), {}
    if kind == "polars-lazy":
        return to_arrow(frame.collect(), "polars", wanted)
    if kind == "arrow":
        return frame, {}
    if kind == "arrow-reader":
        return frame.read_all(), {}
    return relation_arrow(frame), {}


def _pandas_arrow(df: Any, wanted: list[str]) -> tuple[pa.Table, dict[str, Column]]:
    import pyarrow as pa

    pd = optional("pandas")
    names = list(df.columns)
    arrays: dict[str, Any] = {}
    kinds: dict[str, Column] = {}
    for col in wanted:
        if col not in names:
            continue
        if names.count(col) > 1:
            raise RulekitError(
                f"the frame has two columns named {col!r}; rename one (a ruleset reads it)"
            )
        series = df[col]
        array = None
        if series.dtype != object or pd.api.types.infer_dtype(series, skipna=True) in _TYPED:
            try:
                array = pa.Array.from_pandas(series)
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
                array = None
        if array is None:  # Python values of mixed types: each coerced as classify_many would
            values = [_python_value(v, pd) for v in series.astype(object).tolist()]
            array, tagged = _arrow_column(values)
            if array is None:
                continue  # every value missing: as if the column were absent
            kinds[col] = (
                Column(col, "list", "tagged") if tagged == "tagged list" else Column(col, tagged)
            )
        arrays[col] = array
    if not arrays:
        return pa.table({"rk_empty": pa.nulls(len(df))}).drop_columns(["rk_empty"]), kinds
    return pa.table(arrays), kinds


# object columns pandas infers as one type: Arrow converts them (None, NaN, NaT are missing)
_TYPED = ("string", "integer", "floating", "boolean", "date", "datetime", "decimal", "empty")


def _python_value(value: Any, pd: ModuleType) -> Any:
    """A value of a pandas object column as classify_many takes it: a missing value (None,
    NaN, NaT, pd.NA) as None, a pandas timestamp as a datetime (in UTC when it has a time
    zone), a NumPy scalar as its Python value."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Decimal) and value.is_nan():
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    item = getattr(value, "item", None)
    if item is not None and type(value).__module__ == "numpy":
        return _python_value(item(), pd)
    return value


# ---------------------------------------------------------------------- back to the kind


def _attach(frame: Any, kind: str, table: pa.Table, results: pa.Table, replaced: list[str]) -> Any:
    """The input with its replaced columns left out and the result columns at the end, as
    the same kind of table."""
    if kind == "pandas":
        return _pandas_out(frame, results, replaced)
    if kind == "polars":
        pl = optional("polars")
        return frame.drop(replaced).hstack(pl.from_arrow(results).get_columns())
    out_table = table.drop_columns(replaced) if replaced else table
    for name, column in zip(results.column_names, results.columns, strict=True):
        out_table = out_table.append_column(name, column)
    if kind == "arrow":
        return out_table
    if kind == "arrow-reader":
        return out_table.to_reader()
    return _duckdb_out(frame, out_table)


def _pandas_out(df: Any, results: pa.Table, replaced: list[str]) -> Any:
    import pyarrow as pa

    pd = optional("pandas")

    def mapper(t: pa.DataType) -> Any:
        text = pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)
        return pd.StringDtype() if text else None

    out = df.drop(columns=replaced) if replaced else df
    new = {}
    for name, column in zip(results.column_names, results.columns, strict=True):
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            new[name] = pd.array(column.to_pylist(), dtype=object)  # hit all: lists of labels
        else:
            new[name] = column.to_pandas(types_mapper=mapper).array
    added = pd.DataFrame(new, index=out.index)
    if out.shape[1] == 0:
        return added
    return pd.concat([out, added], axis=1)


def _duckdb_out(rel: Any, table: pa.Table) -> Any:
    """A relation over the result on the input relation's own connection (when the relation
    tells it), else through the relation (a DuckDB replacement scan of this variable)."""
    import duckdb

    con = getattr(rel, "_con", None)
    if isinstance(con, duckdb.DuckDBPyConnection):
        return con.from_arrow(table)
    rk_frame_output = table  # noqa: F841 - read by DuckDB's replacement scan below
    return rel.query("rk_frame_input", "SELECT * FROM rk_frame_output")


__all__ = ["classify_frame", "frame_kind", "is_frame", "optional", "to_arrow"]
