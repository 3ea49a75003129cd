"""Start-up stays fast: `import rulekit` and `rulekit --version` load none of the heavy
packages (checked in a fresh interpreter through sys.modules, never by timing), and every public
name is still importable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import rulekit

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("duckdb", "pyarrow", "rich", "pydantic", "openpyxl", "lark", "typer", "click")


def _loaded_after(code: str) -> set[str]:
    """The top-level packages a fresh Python has loaded after running `code`."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_rulekit_loads_no_heavy_package():
    loaded = _loaded_after("import rulekit")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_version_loads_no_heavy_package():
    loaded = _loaded_after(
        "import contextlib, io\nfrom rulekit.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as f:\n    assert main(['--version']) == 0\n"
        "assert f.getvalue() == 'rulekit ' + __import__('rulekit').__version__ + '\\n'"
    )
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_help_loads_no_engine():
    """--help needs typer and rich, but not the engines or the grammar."""
    loaded = _loaded_after(
        "import contextlib, io\nfrom rulekit.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n    assert main(['--help']) == 0"
    )
    assert not loaded & {"duckdb", "pyarrow", "openpyxl", "lark"}


def test_classifying_loads_no_duckdb():
    """The Python engine alone: compiling and classifying load neither DuckDB nor pyarrow."""
    loaded = _loaded_after(
        "import rulekit\nrs = rulekit.compile('IF recency > 180d THEN sleeping')\n"
        "assert rs.classify({'recency': 200}, as_of='2024-06-30').label == 'sleeping'\n"
        "assert rs.classify_many([{'recency': 1}], as_of='2024-06-30').labels == [None]"
    )
    assert not loaded & {"duckdb", "pyarrow"}


def test_loading_a_shipped_ruleset_loads_no_solver_and_no_engine():
    """z3 (analysis), DuckDB and pyarrow (frames, files) load only when those are used."""
    loaded = _loaded_after("import rulekit\nrulekit.load('rfm')")
    assert not loaded & {"z3", "duckdb", "pyarrow", "pandas", "polars", "pyspark"}


def test_every_public_name_is_importable():
    for name in rulekit.__all__:
        assert getattr(rulekit, name) is not None, name
    namespace: dict[str, object] = {}
    exec("from rulekit import *", namespace)  # noqa: S102 - the package's own names
    assert set(rulekit.__all__) <= set(namespace)
    assert callable(rulekit.compile) and rulekit.Ruleset.__name__ == "Ruleset"
    assert set(rulekit.__all__) <= set(dir(rulekit))


def test_compile_stays_the_function_after_the_compile_package_loads():
    import importlib

    importlib.import_module("rulekit.compile.pysource")
    assert callable(rulekit.compile)
    assert rulekit.compile("IF x > 1 THEN big").classify({"x": 2}).label == "big"
