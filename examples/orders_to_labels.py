"""From an orders log to labels, on DuckDB, through the Python API.

Profiles examples/data/transactions.csv (one row per order) into one row per customer with the
catalog's field names, then classifies the profile file into a labelled file with the RFM and
lifecycle rulesets, file to file: DuckDB reads and writes the files, the rows never pass through
Python. Prints what was done and each label's count.

    python examples/orders_to_labels.py [OUT_DIR]
"""

import sys
import tempfile
from pathlib import Path

import rulekit
from rulekit.engines import run_files
from rulekit.engines.profile import build_profile

ORDERS = Path(__file__).parent / "data" / "transactions.csv"
AS_OF = "2024-06-30"


def main(argv: list[str]) -> int:
    out_dir = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="rulekit-example-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = build_profile(
        ORDERS,
        "customer_id",
        "order_date",
        "amount",
        order="order_id",
        as_of=AS_OF,
        window="365d",
        out=out_dir / "profile.parquet",
    )
    print(
        f"profiled {profile.rows_in:,} orders into {profile.customers:,} customers "
        f"({profile.seconds:.2f} s) -> {profile.out}"
    )

    rulesets = [rulekit.load("rfm"), rulekit.load("lifecycle")]
    labelled = out_dir / "labelled.parquet"
    for s in run_files(rulesets, profile.out, labelled, as_of=AS_OF):
        c = s.counts
        print(
            f"\n{s.ruleset}: rows in {c['rows_in']:,} = labelled {c['labelled']:,} + "
            f"no label {c['unlabelled']:,} + set aside {c['rejected']:,}"
        )
        for label, n in s.labels.items():
            print(f"  {label:<24} {n:>5}")
    print(
        f"\nwrote {labelled} ({len(s.columns)} columns) in {s.seconds:.2f} s, "
        f"peak memory {s.peak_rss_mb:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
