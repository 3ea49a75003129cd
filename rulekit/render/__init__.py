"""Rendering for the command line: explanations, why-not, run summaries, rule set listings.

Every view is built in two steps. First a plain, JSON-ready document (`explanation_json`,
`why_not_json`, `summary_json`, … — the TypedDicts of rulekit.documents, the same the API's
`to_dict()` returns) is read from what the engine recorded; then the text view is drawn from
that same document with rich, so `--format json` and the terminal always say the same thing.
rich measures text in display cells, so Chinese aligns in tables and trees whether or not the
output is a terminal. Each top-level document carries a "format" key that changes only when the
shape does; docs/schema/ holds their JSON Schemas.

    common       marks, styles, grid, label text, plural, bar, show_path
    explanation  explanation_json (the document) and explanation_text
    whynot       why_not_json and why_not_text
    check        check_json: what `rulekit check --format json` prints
    summary      summary_json / summary_of_counts (the run-summary document), summary_text,
                 preview_table
    rulesets     ruleset_entry, list_table, show_json, show_text
"""

from __future__ import annotations

from rulekit.documents import CHECK_FORMAT, EXPLANATION_FORMAT, SUMMARY_FORMAT, WHY_NOT_FORMAT
from rulekit.render.check import check_document, check_json, diagnostic_json
from rulekit.render.common import (
    MARK,
    STATUS_MARK,
    STATUS_STYLE,
    STYLE,
    WORD,
    bar,
    plural,
    population_text,
    show_path,
)
from rulekit.render.explanation import explanation_json, explanation_text, rules_tree, test_line
from rulekit.render.rulesets import list_table, ruleset_entry, show_json, show_text
from rulekit.render.summary import preview_table, summary_json, summary_of_counts, summary_text
from rulekit.render.whynot import why_not_json, why_not_text

__all__ = [
    "CHECK_FORMAT",
    "EXPLANATION_FORMAT",
    "MARK",
    "STATUS_MARK",
    "STATUS_STYLE",
    "STYLE",
    "SUMMARY_FORMAT",
    "WHY_NOT_FORMAT",
    "WORD",
    "bar",
    "check_document",
    "check_json",
    "diagnostic_json",
    "explanation_json",
    "explanation_text",
    "list_table",
    "plural",
    "population_text",
    "preview_table",
    "rules_tree",
    "ruleset_entry",
    "show_json",
    "show_path",
    "show_text",
    "summary_json",
    "summary_of_counts",
    "summary_text",
    "test_line",
    "why_not_json",
    "why_not_text",
]
