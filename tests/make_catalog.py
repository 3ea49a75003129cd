"""Regenerate the message catalogs (see babel.cfg): extract every text marked for translation
(Msg, N_, gettext, and the command line's help) into rulekit/locale/rulekit.pot, merge it into
rulekit/locale/zh/LC_MESSAGES/rulekit.po (new texts get an empty translation: fill them in), and
compile rulekit.mo. Run from the repository root:

python -m tests.make_catalog
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "rulekit" / "locale"
POT = LOCALE / "rulekit.pot"
EXTRACT = ["-F", "babel.cfg", "-k", "Msg", "-k", "N_", "--no-location", "--sort-output"]
EXTRACT += ["--omit-header", "-w", "100", "-o", str(POT.relative_to(ROOT)), "."]


def main() -> None:
    cli = CommandLineInterface()
    sys.path.insert(0, str(ROOT))
    cli.run(["pybabel", "-q", "extract", *EXTRACT])
    cli.run(
        ["pybabel", "-q", "update", "-i", str(POT), "-d", str(LOCALE), "-D", "rulekit"]
        + ["-l", "zh", "--no-fuzzy-matching", "-w", "100", "--ignore-obsolete"]
    )
    cli.run(["pybabel", "-q", "compile", "-d", str(LOCALE), "-D", "rulekit"])


if __name__ == "__main__":
    main()
