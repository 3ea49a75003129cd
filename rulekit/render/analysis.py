"""Static-analysis findings as text (file:line:col, the rule with a caret, the witness and what
the engine did with it), as the rulekit-analysis/1 document, and as SARIF 2.1.0 for editors and
code-scanning services. Every view is drawn from the document, so they always agree."""

from __future__ import annotations

from typing import Any

from rulekit.documents import AnalysisDocument, AnalysisFileDocument, FindingDocument
from rulekit.source import Source

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
KIND_HELP = {
    "unreachable": "A rule that can never fire: earlier (or higher-priority) rules take every "
    "customer it matches.",
    "partially-shadowed": "Part of a rule's customers are taken by an earlier rule.",
    "contradiction": "A rule whose condition can never be true.",
    "overlap": "Under `hit unique`, two rules can match the same customer.",
    "gap": "Without a `default`, some customers match no rule and get no label.",
    "redundant-condition": "A sub-condition that is always true when the rest of the rule is.",
    "duplicate-rule": "Two rules with the same condition.",
    "unused-label": "A declared label that no rule that can fire gives.",
    "unused-field": "A declared field that no rule reads.",
}


def _value(v: Any) -> str:
    if v is None:
        return "missing"
    if isinstance(v, str):
        return f'"{v}"'
    return str(v)


def record_text(record: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {_value(v)}" for k, v in record.items())


def finding_text(f: FindingDocument, source: Source | None, path: str) -> str:
    """One finding: `file:line: severity[kind]: message`, the source line with a caret under
    the rule, the witness and what the engine did, or the proof."""
    line = f["lines"][0] if f["lines"] else (f["rules"][0]["line"] if f["rules"] else 0)
    where = f"{path}:{line}:1" if line else path
    out = [f"{where}: {f['severity']}[{f['kind']}]: {f['message']}"]
    if source is not None and line:
        text = source.line_text(line)
        stripped = len(text) - len(text.lstrip())
        out.append(f"  {line:>4} | {text}")
        out.append(f"       | {' ' * stripped}{'^' * max(1, len(text.strip()))}")
    for rule in f["rules"][1:]:
        out.append(f"         see line {rule['line']}: rule {rule['name']}")
    if f["cells"] is not None and f["region"]:
        c = f["cells"]
        out.append(
            f"  uncovered: {c['uncovered']} of {c['total']} cells"
            + ("" if c["exact"] else " (at least; the solver stopped early)")
        )
        for box in f["region"]:
            out.append("    " + ", ".join(f"{k} {_range(v)}" for k, v in box.items()))
    if f["witness"] is not None and f["engine"] is not None:
        e = f["engine"]
        out.append(f"  example: {record_text(f['witness'])} (as of {e['as_of']})")
        got = ", ".join(e["labels"]) or "no label"
        why = (
            f"conflict: {e['conflict']}"
            if e["conflict"]
            else f"decided by {', '.join(e['decided_by']) or 'no rule'}"
        )
        out.append(f"  the engine gives it: {got} ({why})")
        if e["population"]:
            for key, values in e["population"].items():
                out.append(f"  ranked in the population of {key}: {values}")
    if f["proof"]:
        out.append(f"  proof: {f['proof']}")
    if f["accepted"] is not None:
        out.append(f"  accepted (line {f['accepted']['line']}): {f['accepted']['reason']}")
    else:
        out.append(f"  hint: {f['hint']}")
    return "\n".join(out)


def _range(v: list[Any]) -> str:
    lo, hi = v
    if lo == hi:
        return str(lo)
    return f"{'…' if lo is None else lo}–{'…' if hi is None else hi}"


def file_text(doc: AnalysisFileDocument, source: Source | None, min_severity: str = "info") -> str:
    """Open findings first (most severe first), then the accepted ones in one line each."""
    rank = {"error": 2, "warning": 1, "info": 0}
    shown = [
        f
        for f in doc["findings"]
        if f["accepted"] is None and rank[f["severity"]] >= rank[min_severity]
    ]
    shown.sort(key=lambda f: (-rank[f["severity"]], f["lines"][:1] or [0]))
    parts = [finding_text(f, source, doc["file"]) for f in shown]
    accepted = [f for f in doc["findings"] if f["accepted"] is not None]
    if accepted:
        lines = [f"{doc['file']}: accepted findings:"]
        for f in accepted:
            acc = f["accepted"]
            assert acc is not None
            lines.append(f"  line {acc['line']}: {f['kind']} — {acc['reason']}")
        parts.append("\n".join(lines))
    if doc["unknown"]:
        parts.append(
            f"{doc['file']}: could not decide within the time limit (raise --timeout): "
            + "; ".join(doc["unknown"])
        )
    return "\n\n".join(parts)


def counts(doc: AnalysisDocument) -> dict[str, int]:
    """Open findings by severity, and the accepted ones."""
    out = {"error": 0, "warning": 0, "info": 0, "accepted": 0}
    for file in doc["files"]:
        for f in file["findings"]:
            out["accepted" if f["accepted"] is not None else f["severity"]] += 1
    return out


def sarif(doc: AnalysisDocument, version: str) -> dict[str, Any]:
    """The findings as a SARIF 2.1.0 log (accepted findings carry a suppression)."""
    kinds = list(KIND_HELP)
    results = []
    for file in doc["files"]:
        for f in file["findings"]:
            lines = f["lines"] or [r["line"] for r in f["rules"]] or [1]
            text = f["message"]
            if f["witness"] is not None:
                text += f" Example: {record_text(f['witness'])}."
            result: dict[str, Any] = {
                "ruleId": f["kind"],
                "ruleIndex": kinds.index(f["kind"]),
                "level": SARIF_LEVEL[f["severity"]],
                "message": {"text": text},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": file["file"]},
                            "region": {"startLine": line},
                        }
                    }
                    for line in lines[:1]
                ],
                "relatedLocations": [
                    {
                        "id": k,
                        "physicalLocation": {
                            "artifactLocation": {"uri": r["file"]},
                            "region": {"startLine": r["line"]},
                        },
                        "message": {"text": f"rule {r['name']}"},
                    }
                    for k, r in enumerate(f["rules"])
                ],
                "properties": {"witness": f["witness"], "region": f["region"]},
            }
            if f["accepted"] is not None:
                result["suppressions"] = [
                    {"kind": "inSource", "justification": f["accepted"]["reason"]}
                ]
            results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "rulekit",
                        "version": version,
                        "rules": [
                            {
                                "id": k,
                                "name": k,
                                "shortDescription": {"text": KIND_HELP[k]},
                            }
                            for k in kinds
                        ],
                    }
                },
                "results": results,
            }
        ],
    }
