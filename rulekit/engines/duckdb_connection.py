"""DuckDB connections and queries: opening a connection (shared, or with its own limits),
running one statement with a plain-words error, the file formats DuckDB reads, and this
process's peak memory.

DuckDB itself is imported on first use, so that importing rulekit stays fast and the Python
engine works without it.
"""

from __future__ import annotations

import os
import resource
import tempfile
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, cast

from rulekit.compile.sql.duckdb import DuckDBGenerator
from rulekit.errors import RulekitError

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection
    from typing_extensions import TypeIs

# file extension -> DuckDB reader format
FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "json",
    ".ndjson": "json",
    ".json": "json",
}


# A generator without a program: its quoting and file readers only.
QUOTING = DuckDBGenerator.__new__(DuckDBGenerator)


class EngineError(RulekitError):
    """DuckDB could not run a query or read a file; the message says which and why."""


def _duckdb() -> ModuleType:
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a dependency
        raise EngineError(
            "the duckdb engine needs the duckdb package: pip install duckdb"
        ) from None
    return duckdb


_SHARED: DuckDBPyConnection | None = None


def connect(
    memory_limit: str | None = None, threads: int | None = None, temp_directory: str | None = None
) -> DuckDBPyConnection:
    """A DuckDB connection that keeps insertion order and may spill to disk.

    Without settings, a cursor on one in-memory database shared by the process (opening a
    database costs ~15 ms; a cursor almost nothing, and what it registers stays its own)."""
    global _SHARED
    if memory_limit is None and threads is None and temp_directory is None:
        if _SHARED is None:
            _SHARED = _open(None, None, None)
        return _SHARED.cursor()
    return _open(memory_limit, threads, temp_directory)


def _open(
    memory_limit: str | None, threads: int | None, temp_directory: str | None
) -> DuckDBPyConnection:
    con: DuckDBPyConnection = _duckdb().connect(":memory:")
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")  # rulekit draws its own
    if memory_limit:
        con.execute(f"SET memory_limit = '{_setting(memory_limit)}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute(f"SET temp_directory = '{_setting(temp_directory or temp_dir())}'")
    return con


def _setting(value: str) -> str:
    return str(value).replace("'", "''")


def temp_dir() -> str:
    """rulekit's directory for DuckDB's spill files and a run's intermediate files."""
    path = Path(tempfile.gettempdir()) / "rulekit-duckdb"
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def file_format(path: str | os.PathLike[str]) -> str:
    """The DuckDB reader format of a file, by its extension."""
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise EngineError(
            f"{path}: unknown file type {Path(path).suffix!r}; rulekit reads "
            ".csv, .jsonl (.ndjson, .json) and .parquet files"
        )
    return fmt


def is_path(records: object) -> TypeIs[str | os.PathLike[str]]:
    """Whether the records are a file to read rather than the records themselves."""
    return isinstance(records, (str, os.PathLike))


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB. On Linux, VmHWM: getrusage's
    ru_maxrss survives fork and exec, so a child started by a big process reports its parent's
    peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_sql(con: DuckDBPyConnection, sql: str, what: str) -> DuckDBPyConnection:
    """Execute one statement; DuckDB's error becomes an EngineError saying what failed."""
    try:
        return con.execute(sql)
    except _duckdb().Error as e:
        lines = str(e).split("\n")
        # the first line, and for a CSV error what was expected (not DuckDB's option hints)
        details = [x for x in lines[1:] if x.startswith(("Expected Number", "Original Line"))]
        message = "; ".join([lines[0], *details])
        raise EngineError(f"DuckDB could not {what}: {message}") from None


def fetch_int(con: DuckDBPyConnection, sql: str, what: str) -> int:
    """The one integer a query returns: a count, or the rows a COPY wrote."""
    return cast(int, run_sql(con, sql, what).fetchall()[0][0])
