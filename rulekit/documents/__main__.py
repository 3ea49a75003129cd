"""`python -m rulekit.documents [DIR]`: write the JSON Schema of every document (default
docs/schema/)."""

from __future__ import annotations

import sys
from pathlib import Path

from rulekit.documents.schema import SCHEMA_DIR, write_schemas


def main(argv: list[str]) -> int:
    directory = Path(argv[0]) if argv else SCHEMA_DIR
    for path in write_schemas(directory):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
