"""Regenerate tests/fixtures/diagnostics.golden from its cases (review the diff before committing).

python -m tests.make_golden
"""

from pathlib import Path

import rulekit

FIXTURE = Path(__file__).parent / "fixtures" / "diagnostics.golden"


def parse_cases(text: str):
    """Chunks: `=== name`, the rule file, `---`, the full rendered diagnostics."""
    for chunk in text.split("\n=== ")[0:]:
        chunk = chunk.removeprefix("=== ")
        if not chunk.strip():
            continue
        name, _, rest = chunk.partition("\n")
        source, _, expected = rest.partition("\n---\n")
        yield name, source.rstrip("\n") + "\n", expected.rstrip("\n")


def render(name: str, source: str) -> str:
    strict = name.startswith("strict")
    program = rulekit.check_text(source, "case.rules", strict=strict)
    return "\n\n".join(d.render() for d in program.diagnostics)


if __name__ == "__main__":
    cases = list(parse_cases(FIXTURE.read_text(encoding="utf-8")))
    out = []
    for name, source, _ in cases:
        out.append(f"=== {name}\n{source}---\n{render(name, source)}\n")
    FIXTURE.write_text("\n".join(out), encoding="utf-8")
    print(f"{len(cases)} cases written")
