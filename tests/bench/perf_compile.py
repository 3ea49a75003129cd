"""The compile row of issue 15 (item 7): a generated 10,000-rule ruleset through parse, check
and compile, each timed (CPU seconds of the process) in a fresh Python process, against the same rules written by hand as a
Python function (an `if` chain) and compiled by Python's own compile() in the same process.

    python tests/bench/perf_compile.py [RULES]      # prints the figures (default 10,000 rules)

The ruleset: 500 declared number fields, each rule `a > i and b <= j` over two of them, 50
labels, hit first (tests/bench/test_bench_check.py's generator). The labels of both are compared
on 2,000 seeded records.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

CHILD = r"""
import gc, json, random, resource, sys, time
sys.path.insert(0, {here!r})
from test_bench_check import rules
n = {n}
text = rules(n, True)
out = {{}}
clock = time.process_time  # CPU seconds: the machine is shared, wall time is its load
started = clock()
import rulekit
from rulekit.syntax.parser import parse, _lark
out["import_s"] = clock() - started
started = clock(); _lark(); out["grammar_s"] = clock() - started
started = clock(); parse(text); out["parse_s"] = clock() - started
started = clock(); rulekit.check_text(text); out["check_s"] = clock() - started
started = clock(); rs = rulekit.compile(text); out["compile_s"] = clock() - started
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

# the reference: the same rules written by hand as Python, compiled by Python
names = sorted({{w for line in text.splitlines() if line.startswith("field ")
                 for w in [line.split()[1]]}})
body = ["def hand(rec):", "    get = rec.get"]
for line in text.splitlines():
    if line.startswith("rule "):
        _, rest = line.split(" if ", 1)
        cond, label = rest.rsplit(" then ", 1)
        (a, _, x), (b, _, y) = (c.split() for c in cond.split(" and "))
        body.append(
            f"    v = get({{a!r}}); w = get({{b!r}})\n"
            f"    if v is not None and w is not None and v > {{x}} and w <= {{y}}: return {{label!r}}"
        )
body.append("    return 'none_matched'")
started = clock()
ns = {{}}
exec(compile("\n".join(body) + "\n", "<hand>", "exec"), ns)
out["hand_s"] = clock() - started
rng = random.Random(7)
records = [{{k: rng.randrange(0, 1100) for k in names}} for _ in range(2000)]
out["same"] = rs.classify_many(records).labels == [ns["hand"](r) for r in records]
print(json.dumps(out))
"""


def measure(n: int = 10_000) -> dict[str, Any]:
    """The figures of one fresh process: import, grammar, parse, check (parse included),
    compile (parse and check included) seconds, peak RSS, the hand-written reference's
    compile seconds, and whether the labels agree."""
    code = CHILD.format(here=str(HERE), n=n)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000), indent=1))
