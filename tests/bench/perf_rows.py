"""The rows of docs/performance.md's table (issue 15): each measures rulekit and its
hand-written reference side by side in one run (alternating rounds, best of each) and checks
that both give the same labels. Used by tests/bench/test_bench_speed.py (pytest-benchmark) and by
tools/perf_table.py (which writes the table).

Sizes: RULEKIT_BENCH_ROWS (default 1,000,000) rows for the file benchmarks; the Python engine
rows use 100,000 records (rfm: 100,000; explain with a batch: 10,000).

The references are what a user writes by hand: a Python function with the same missing-value
handling (floats, no Decimal), DuckDB SQL over typed columns.
"""

from __future__ import annotations

import bisect
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))  # tests/bench is not a package

import bench_data  # noqa: E402
from test_bench_duckdb import handwritten_lifecycle  # noqa: E402
from test_bench_python import handwritten, make_customers  # noqa: E402

AS_OF = bench_data.AS_OF
LIFECYCLE = HERE / "lifecycle9.rules"
RFM3 = HERE / "rfm3.rules"
ROWS = int(os.environ.get("RULEKIT_BENCH_ROWS", "1000000"))
PY_ROWS = 100_000
# RULEKIT_BENCH_ROUNDS: every row's rounds (default: each row's own, 2-5); 1 for the 10M run
ROUNDS = int(os.environ.get("RULEKIT_BENCH_ROUNDS", "0"))


@dataclass
class Row:
    what: str
    rulekit_s: float
    reference: str
    reference_s: float
    same: bool
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.rulekit_s / self.reference_s


def _best(pairs: list[tuple[Callable[[], Any], Callable[[], Any]]], rounds: int) -> list[float]:
    """Alternate the callables round by round; the best time of each."""
    flat = [f for pair in pairs for f in pair]
    best = [float("inf")] * len(flat)
    for _ in range(ROUNDS or rounds):
        for i, f in enumerate(flat):
            started = time.perf_counter()
            f()
            best[i] = min(best[i], time.perf_counter() - started)
    return best


def _python(data: Path, code: str) -> float:
    """Seconds a fresh Python takes to run `code` (the child's own clock, imports included)."""
    probe = f"import time\n_t = time.perf_counter()\n{code}\nprint(time.perf_counter() - _t)"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return float(out.stdout.strip().splitlines()[-1])


def _wall(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, capture_output=True, check=True, cwd=ROOT)
    return time.perf_counter() - started


# ------------------------------------------------------------------ data


def data_dir() -> Path:
    base = Path(os.environ.get("RULEKIT_BENCH_DIR", "/tmp/rulekit-bench"))
    base.mkdir(parents=True, exist_ok=True)
    return base


def customers_files(rows: int = ROWS) -> tuple[Path, Path]:
    """The seeded customers as Parquet and as CSV (made once, kept in data_dir())."""
    import duckdb

    base = data_dir()
    parquet, csv = base / f"customers_{rows}.parquet", base / f"customers_{rows}.csv"
    if not parquet.exists():
        bench_data.customers(parquet, rows)
    if not csv.exists():
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        con.execute(f"COPY (SELECT * FROM '{parquet}') TO '{csv}' (HEADER)")
    return parquet, csv


# ------------------------------------------------------------------ the rows


def run_file_row(src: Path, out_ext: str, rounds: int = 3) -> Row:
    """`rulekit run` (run_file) file → file vs a hand-written DuckDB query over typed columns."""
    import duckdb

    import rulekit
    from rulekit.engines import run_file

    rs = rulekit.load(LIFECYCLE)
    out_dir = data_dir()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    if src.suffix == ".csv":
        typed = (
            f"read_csv('{src}', header = true, types = {{'customer_id': 'VARCHAR', "
            "'recency_days': 'BIGINT', 'tenure_days': 'BIGINT', 'frequency': 'BIGINT', "
            "'monetary': 'DOUBLE', 'avg_order_value': 'DOUBLE', 'returns': 'BIGINT', "
            "'region': 'VARCHAR', 'is_member': 'BOOLEAN'})"
        )
        hand_sql = handwritten_lifecycle(src, True).replace(f"read_parquet('{src}')", typed)
    else:
        hand_sql = handwritten_lifecycle(src, True)
    rk_out, hand_out = out_dir / f"rk_out{out_ext}", out_dir / f"hand_out{out_ext}"
    fmt = "parquet" if out_ext == ".parquet" else "csv, HEADER"
    rk, hand = _best(
        [
            (
                lambda: run_file(rs, src, rk_out, as_of=AS_OF),
                lambda: con.execute(f"COPY ({hand_sql}) TO '{hand_out}' (FORMAT {fmt})"),
            )
        ],
        rounds,
    )
    a = con.execute(f"SELECT lifecycle9 FROM '{rk_out}'").fetchall()
    b = con.execute(f"SELECT lifecycle9 FROM '{hand_out}'").fetchall()
    rows = len(a)
    return Row(
        f"`rulekit run` {src.suffix[1:].upper()} → {out_ext[1:].upper()}, {rows:,} rows "
        "(9-rule first-match table)",
        rk,
        "hand-written DuckDB query, typed columns",
        hand,
        a == b,
    )


def classify_path_row(src: Path, rounds: int = 3) -> Row:
    """classify_many(path, engine="duckdb") vs the hand-written query fetched into Python."""
    import duckdb

    import rulekit

    rs = rulekit.load(LIFECYCLE)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    hand_sql = handwritten_lifecycle(src, False)
    got: dict[str, Any] = {}

    def mine() -> None:
        got["rk"] = rs.classify_many(str(src), as_of=AS_OF, engine="duckdb").labels

    def hand() -> None:
        got["hand"] = [r[0] for r in con.execute(f"SELECT lifecycle9 FROM ({hand_sql})").fetchall()]

    rk, ref = _best([(mine, hand)], rounds)
    return Row(
        f'`classify_many(path, engine="duckdb")` from Parquet, {len(got["rk"]):,} rows',
        rk,
        "hand-written DuckDB query, labels fetched",
        ref,
        got["rk"] == got["hand"],
    )


def python_rows(rounds: int = 5) -> list[Row]:
    """classify one by one, classify_many, classify_many(engine="auto") vs the hand function."""
    import rulekit

    rs = rulekit.load(LIFECYCLE)
    records = make_customers(PY_ROWS)
    small = records[:20_000]
    got: dict[str, Any] = {}

    def ref_all() -> None:
        got["ref"] = [handwritten(r) for r in records]

    def ref_small() -> None:
        got["ref_small"] = [handwritten(r) for r in small]

    def one() -> None:
        got["one"] = [rs.classify(r, as_of=AS_OF).label for r in small]

    def many() -> None:
        got["many"] = rs.classify_many(records, as_of=AS_OF).labels

    def auto() -> None:
        got["auto"] = rs.classify_many(records, as_of=AS_OF, engine="auto").labels

    t_one, t_ref_small, t_many, t_ref, t_auto, t_ref2 = _best(
        [(one, ref_small), (many, ref_all), (auto, ref_all)], rounds
    )
    ref_name = "hand-written function, same missing-value handling"
    return [
        Row(
            f"`rs.classify(record)` one at a time ({len(small):,} records)",
            t_one,
            ref_name,
            t_ref_small,
            got["one"] == got["ref_small"],
            f"{len(small) / t_one / 1e6:.2f} M rec/s",
        ),
        Row(
            f"`rs.classify_many(list_of_dicts)`, {PY_ROWS:,} records",
            t_many,
            ref_name,
            t_ref,
            got["many"] == got["ref"],
            f"{PY_ROWS / t_many / 1e6:.2f} M rec/s",
        ),
        Row(
            f'`rs.classify_many(list_of_dicts, engine="auto")`, {PY_ROWS:,} records',
            t_auto,
            ref_name,
            min(t_ref, t_ref2),
            got["auto"] == got["ref"],
            f"{PY_ROWS / t_auto / 1e6:.2f} M rec/s",
        ),
    ]


def hand_rfm(records: list[dict[str, Any]]) -> list[str | None]:
    """RFM by hand in Python: three quintile scores (ties share, missing values out)."""

    def scorer(values: list[Any]) -> Callable[[Any], int | None]:
        ranked = sorted(v for v in values if v is not None)
        n = len(ranked)

        def score(x: Any) -> int | None:
            if x is None or n == 0:
                return None
            return min(5, 1 + (5 * bisect.bisect_left(ranked, x)) // n)

        return score

    rec = [None if r["recency_days"] is None else -r["recency_days"] for r in records]
    freq = [r["frequency"] for r in records]
    mon = [r["monetary"] for r in records]
    rs_, fs_, ms_ = scorer(rec), scorer(freq), scorer(mon)
    out: list[str | None] = []
    for x, y, z in zip(rec, freq, mon):
        r, f, m = rs_(x), fs_(y), ms_(z)
        if r is None or f is None or m is None:
            out.append(None)
            continue
        hi_r, hi_f, hi_m = r >= 3, f >= 3, m >= 3
        out.append(
            ("important_" if hi_m else "general_")
            + {
                (True, True): "value",
                (True, False): "development",
                (False, True): "retention",
                (False, False): "winback",
            }[(hi_r, hi_f)]
        )
    return out


def rfm_python_row(rounds: int = 3) -> Row:
    import rulekit

    rs = rulekit.load(RFM3)
    records = make_customers(PY_ROWS)
    got: dict[str, Any] = {}

    def mine() -> None:
        got["rk"] = rs.classify_many(records, as_of=AS_OF).labels

    def hand() -> None:
        got["hand"] = hand_rfm(records)

    rk, ref = _best([(mine, hand)], rounds)
    return Row(
        f"`rfm` (3 `score()` populations) on the Python engine, {PY_ROWS:,} rows",
        rk,
        "hand-written Python ranking (sort + bisect)",
        ref,
        got["rk"] == got["hand"],
    )


def explain_batch_row(rounds: int = 3) -> Row:
    """explain(record, batch=records) repeated on one batch vs a frozen population."""
    import rulekit

    rs = rulekit.load(RFM3)
    batch = make_customers(10_000)
    frozen = rs.freeze(batch, AS_OF)
    sample = batch[:200]
    got: dict[str, Any] = {}

    def mine() -> None:
        got["rk"] = [rs.explain(r, as_of=AS_OF, batch=batch).label for r in sample]

    def ref() -> None:
        got["ref"] = [rs.explain(r, as_of=AS_OF, population=frozen).label for r in sample]

    rk, hand = _best([(mine, ref)], rounds)
    return Row(
        "`rs.explain(record, batch=records)`, 10,000 records, per call",
        rk / len(sample),
        "the same with a frozen population",
        hand / len(sample),
        got["rk"] == got["ref"],
    )


def startup_rows(rounds: int = 5) -> list[Row]:
    exe = sys.executable
    env_code = "import sys; sys.path.insert(0, '.')"
    best: dict[str, float] = {}
    for _ in range(rounds):
        for key, args in {
            "version": [
                exe,
                "-c",
                f"{env_code}\nfrom rulekit.cli import main; main(['--version'])",
            ],
            "help": [exe, "-c", f"{env_code}\nfrom rulekit.cli import main; main(['--help'])"],
            "import": [exe, "-c", f"{env_code}\nimport rulekit"],
            "duckdb": [exe, "-c", "import duckdb"],
            "python": [exe, "-c", "pass"],
        }.items():
            best[key] = min(best.get(key, 9e9), _wall(args))
    note = f"python alone {best['python']:.3f} s"
    return [
        Row(
            "`rulekit --version` start-up",
            best["version"],
            '`python -c "import duckdb"`',
            best["duckdb"],
            True,
            note,
        ),  # fmt: skip
        Row(
            "`rulekit --help` start-up",
            best["help"],
            '`python -c "import duckdb"`',
            best["duckdb"],
            True,
            note,
        ),  # fmt: skip
        Row(
            "`import rulekit`",
            best["import"],
            '`python -c "import duckdb"`',
            best["duckdb"],
            True,
            note,
        ),  # fmt: skip
    ]


def explain_file_rows(parquet: Path, csv: Path, rounds: int = 2) -> list[Row]:
    """`rulekit explain --data FILE --id X` (a fresh process) vs a DuckDB lookup of the row
    (a fresh process too: both pay their start-up)."""
    exe = sys.executable
    ident = f"{ROWS * 3 // 4:08d}"
    rows = []
    for rules in (LIFECYCLE, RFM3):
        for src in (parquet, csv):
            explain = [exe, "-m", "rulekit", "explain", str(rules), "--data", str(src),
                       "--id", ident, "--as-of", AS_OF]  # fmt: skip
            reader = f"'{src}'" if src.suffix == ".parquet" else f"read_csv('{src}')"
            lookup = [exe, "-c", "import duckdb; duckdb.sql(\"SELECT * FROM "
                      f"{reader} WHERE customer_id = '{ident}'\").fetchall()"]  # fmt: skip
            rk = hand = 9e9
            for _ in range(rounds):
                rk = min(rk, _wall(explain))
                hand = min(hand, _wall(lookup))
            rows.append(
                Row(
                    f"`rulekit explain {rules.stem} --data {src.suffix[1:]} --id X`, {ROWS:,} rows",
                    rk,
                    "a DuckDB lookup of the row (`python -c`)",
                    hand,
                    True,
                )
            )
    return rows


def compile_row() -> Row:
    """rulekit.compile of 10,000 rules (a fresh process) vs 100 rules."""

    def rules(n: int) -> str:
        head = 'ruleset big "规则"\nhit first\ndefault none_matched\nfield x : number "x"\n'
        body = "".join(f'rule "r{i}" if x > {i} then l{i % 50}\n' for i in range(n))
        return head + body

    times = []
    for n in (10_000, 100):
        path = data_dir() / f"rules_{n}.rules"
        path.write_text(rules(n), encoding="utf-8")
        times.append(_python(ROOT, f"import rulekit\nrulekit.load({str(path)!r})"))
    t_big, t_small = times
    return Row("`rulekit.compile` of 10,000 rules (imports included)", t_big,
               "100 rules", t_small, True)  # fmt: skip


def measurements() -> list[Callable[[], Row | list[Row]]]:
    """Every row's measurement, in the table's order (each returns a Row or a list of them)."""
    parquet, csv = customers_files()
    return [
        lambda: run_file_row(csv, ".parquet"),
        lambda: run_file_row(csv, ".csv"),
        lambda: run_file_row(parquet, ".parquet"),
        lambda: classify_path_row(parquet),
        python_rows,
        rfm_python_row,
        compile_row,
        startup_rows,
        lambda: explain_file_rows(parquet, csv),
        explain_batch_row,
    ]


def all_rows() -> list[Row]:
    rows: list[Row] = []
    for measure in measurements():
        got = measure()
        rows.extend(got if isinstance(got, list) else [got])
    return rows


def seconds(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1:
        return f"{s * 1e3:.0f} ms"
    return f"{s:.2f} s"


def table(rows: list[Row]) -> str:
    lines = [
        "| what | rulekit | reference | ratio | same labels | note |",
        "|---|---:|---|---:|:---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.what} | {seconds(r.rulekit_s)} | {r.reference}: {seconds(r.reference_s)} "
            f"| {r.ratio:.2f}× | {'yes' if r.same else '**no**'} | {r.note} |"
        )
    return "\n".join(lines)
