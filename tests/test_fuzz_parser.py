"""Fuzz the parser and checker: any text gives diagnostics, never a crash.

Random mutations of the shipped rule files and random token soup (deep nesting included) go
through `rulekit.check_text` (which must never raise) and `rulekit.compile` (which may raise only
`RuleError`); a Python warning counts as a failure. Each batch runs in a subprocess under a
memory limit (RLIMIT_AS) and a timeout, so a hang or a memory blow-up fails the test too (a
guard, not a speed assertion).

The default run is small (a few seconds). For a long run:

    RULEKIT_FUZZ_SECONDS=1800 python -m pytest tests/test_fuzz_parser.py -s

(`RULEKIT_FUZZ_SEED` picks the first seed; a failure prints the seed and the text.)
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import traceback
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space for one batch
BATCH_TIMEOUT = 300  # seconds for one batch: generous, a guard against hangs only

WORDS = (
    "IF THEN AND OR NOT if then and or not 如果 那么 并且 或者 非 rule label field let example "
    "given expect as of hit first priority all unique default between in top bottom by is "
    "missing contains starts with ends today true false 是 否 none ruleset description source "
    "version alias en unit from one list of integer number string date duration boolean "
    "min max abs round coalesce days_since len percentile score cumulative_share x y z 最近购买"
).split()
SYMBOLS = "( ) [ ] , : = == != <> > >= < <= + - * / % ≥ ≤ （ ） ， “ ” \" ' # // \n".split(" ")
LITERALS = [
    "0", "12", "0.5", "50_000", "5k", "1.2万", "3亿", "10%", "180d", "6mo", "6m", "1y", "90s",
    "2024-06-30", "2024-02-30", "2024-06-30T08:00", '"north"', "“海外”", "1e400", "1e-5",
    "9" * 30, "9223372036854775807", "9223372036854775808", "99999999999999999999d",
]  # fmt: skip


def _soup(rng: random.Random) -> str:
    out = []
    for _ in range(rng.randint(1, 60)):
        r = rng.random()
        if r < 0.45:
            out.append(rng.choice(WORDS))
        elif r < 0.75:
            out.append(rng.choice(SYMBOLS))
        else:
            out.append(rng.choice(LITERALS))
    return " ".join(out)


def _deep(rng: random.Random) -> str:
    d = rng.choice([5, 31, 32, 33, 100, 1000, rng.randint(1, 3000)])
    kind = rng.randrange(7)
    expr = [
        lambda: "not " * d + "x > 1",
        lambda: "-" * d + "x > 1",
        lambda: "(" * d + "x" + ")" * d + " > 1",
        lambda: " + ".join(["x"] * d) + " > 1",
        lambda: " or ".join(f"x = {i}" for i in range(d)),
        lambda: "abs(" * d + "x" + ")" * d + " > 1",
        lambda: "(" * d + "x > 1",  # unbalanced
    ][kind]()
    return f"IF {expr} THEN a\n"


def _mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 6)):
        if not text:
            break
        i = rng.randrange(len(text))
        j = min(len(text), i + rng.randint(0, 40))
        r = rng.random()
        if r < 0.25:
            text = text[:i] + text[j:]  # delete
        elif r < 0.45:
            text = text[:i] + text[i:j] * rng.randint(2, 4) + text[j:]  # repeat
        elif r < 0.75:
            piece = rng.choice([*WORDS, *SYMBOLS, *LITERALS])
            text = text[:i] + " " + piece + " " + text[i:]  # insert a token
        elif r < 0.9:
            text = text[:i] + _deep(rng) + text[i:]  # insert deep nesting
        else:
            k = rng.randrange(len(text))  # swap two spans
            a, b = sorted((i, k))
            text = text[b:] + text[a:b] + text[:a]
    return text


def _case(rng: random.Random, corpus: list[str]) -> str:
    r = rng.random()
    if r < 0.6 and corpus:
        return _mutate(rng, rng.choice(corpus))
    if r < 0.8:
        return _soup(rng)
    return _deep(rng) + (_soup(rng) if rng.random() < 0.3 else "")


def run_batch(seed: int, count: int) -> dict[str, object]:
    """Run `count` cases from `seed`; the first failure (text and traceback), if any."""
    import rulekit

    warnings.simplefilter("error")
    corpus = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "rulesets").glob("*.rules"))]
    rng = random.Random(seed)
    for k in range(count):
        text = _case(rng, corpus)
        try:
            rulekit.check_text(text, "fuzz.rules")
            try:
                rulekit.compile(text, "fuzz.rules")
            except rulekit.RuleError:
                pass
        except BaseException:
            return {"cases": k + 1, "failure": {"text": text, "error": traceback.format_exc()}}
    return {"cases": count, "failure": None}


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _batch_in_subprocess(seed: int, count: int) -> dict[str, object]:
    code = (
        "import json, sys; from tests.test_fuzz_parser import run_batch; "
        f"print(json.dumps(run_batch({seed}, {count})))"
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=BATCH_TIMEOUT,
            preexec_fn=_limit_memory,  # noqa: PLW1509 - no threads in the child yet
        )
    except subprocess.TimeoutExpired:
        return {"cases": 0, "failure": {"text": f"seed {seed}", "error": "batch timed out"}}
    if proc.returncode != 0:
        return {
            "cases": 0,
            "failure": {"text": f"seed {seed}", "error": f"exit {proc.returncode}: {proc.stderr}"},
        }
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_fuzz_parser_and_checker():
    seconds = float(os.environ.get("RULEKIT_FUZZ_SECONDS", "0"))
    seed = int(os.environ.get("RULEKIT_FUZZ_SEED", "20261207"))
    per_batch = 400 if seconds else 100
    deadline = time.monotonic() + seconds
    total = batches = 0
    while True:
        result = _batch_in_subprocess(seed + batches, per_batch)
        total += int(str(result["cases"]))
        batches += 1
        failure = result["failure"]
        assert failure is None, f"seed {seed + batches - 1}: {failure}"
        if time.monotonic() >= deadline and batches >= 2:
            break
    print(f"\nfuzz: {total} cases in {batches} batches, no crash")
