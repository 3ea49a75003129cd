"""Classify the bundled sample customers with shipped rulesets.

Loads examples/data/customers.csv (2,000 synthetic customers), runs the lifecycle, RFM and ABC
rulesets over it as of 2024-06-30, prints each label's count and share, and explains one
customer's lifecycle label rule by rule.

    python examples/classify_sample.py [RULESET ...]
"""

import csv
import sys
from collections import Counter
from pathlib import Path

import rulekit

DATA = Path(__file__).parent / "data" / "customers.csv"
AS_OF = "2024-06-30"


def summary(rs, records) -> None:
    result = rs.classify_many(records, as_of=AS_OF, on_error="skip")
    counts = Counter(label for d in result if d is not None for label in (d.labels or ("—",)))
    c = result.counts
    print(f"\n{rs.id} — {rs.display} (as of {result.as_of}, hit {rs.hit})")
    for label, n in counts.most_common():
        bar = "█" * round(40 * n / len(records))
        print(
            f"  {rs.label_display(label) if label != '—' else '(no label)':<12} {label:<24} "
            f"{n:>6} {n / len(records):6.1%} {bar}"
        )
    print(
        f"  rows in {c['rows_in']} = labelled {c['labelled']} + no label {c['unlabelled']} "
        f"+ set aside {c['rejected']}"
    )


def main(argv: list[str]) -> int:
    with DATA.open(encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    for ref in argv or ["lifecycle", "rfm", "abc"]:
        summary(rulekit.load(ref), records)
    rs = rulekit.load("lifecycle")
    ex = rs.explain(records[0], as_of=AS_OF, batch=records).to_dict()
    print(f"\nWhy customer {records[0]['customer_id']} is {ex['decision']['label']}:")
    for rule in ex["rules"]:
        print(f"  line {rule['line']:>3} {rule['status']:<12} {rule['name']} → {rule['label']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
