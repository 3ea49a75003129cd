"""Label distribution of every shipped ruleset on the bundled sample.

Runs all rulesets in rulesets/ over examples/data/customers.csv as of 2024-06-30 and prints a
Markdown table: ruleset id, labels, examples, and how many customers got each label.

    python examples/label_distribution.py
"""

import csv
from collections import Counter
from pathlib import Path

import rulekit

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    with (ROOT / "examples" / "data" / "customers.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    print(f"| ruleset | labels | examples | label distribution ({len(rows):,} customers) |")
    print("|---|---|---|---|")
    for path in sorted((ROOT / "rulesets").glob("*.rules")):
        rs = rulekit.load(path)
        result = rs.classify_many(rows, as_of="2024-06-30", on_error="skip")
        counts: Counter = Counter()
        for d in result:
            if d is None:
                counts["(set aside)"] += 1
            else:
                counts.update(d.labels or ("(no label)",))
        dist = ", ".join(f"{label} {n}" for label, n in counts.most_common())
        print(f"| {rs.id} | {len(rs.program.labels)} | {len(rs.program.examples)} | {dist} |")


if __name__ == "__main__":
    main()
