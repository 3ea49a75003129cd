"""Self-contained HTML reports of coverage (a bar chart per rule) and diff (a heat map of the
label transition matrix): one file, inline CSS and SVG, no script and nothing from the network.

The charts are hand-built SVG: a bar chart and a heat map are a few rectangles each, and the
charting libraries that render offline (matplotlib, plotly) would add tens of megabytes to
rulekit's dependencies or a large script to every report. Every text is HTML-escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;
margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px}
th{background:#f4f4f4;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.never{color:#b00020;font-weight:bold}svg text{font-size:12px}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>\n"
        f"<body>\n<h1>{escape(title)}</h1>\n{body}\n</body></html>\n"
    )


def bar_chart(items: list[tuple[str, int, int]], width: int = 640) -> str:
    """Horizontal bars: (name, matched, decided) per item; decided drawn over matched."""
    top = max([m for _, m, _ in items] + [1])
    row, left = 22, 260
    height = row * len(items) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" height="{height}" '
        'role="img" aria-label="rows matched and decided per rule">'
    ]
    for k, (name, matched, decided) in enumerate(items):
        y = 10 + k * row
        wm = width * matched / top
        wd = width * decided / top
        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(name[:40])}</text>'
            f'<rect x="{left}" y="{y + 2}" width="{wm:.1f}" height="16" fill="#c6dbef">'
            f"<title>matched {matched:,}</title></rect>"
            f'<rect x="{left}" y="{y + 6}" width="{wd:.1f}" height="8" fill="#2171b5">'
            f"<title>decided {decided:,}</title></rect>"
            f'<text x="{left + wm + 4:.1f}" y="{y + 14}">{decided:,} / {matched:,}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def heat_map(cells: dict[tuple[str, str], int], cell: int = 56) -> str:
    """The transition matrix: rows = old labels, columns = new labels, colour by count."""
    rows = sorted({a for a, _ in cells})
    cols = sorted({b for _, b in cells})
    top = max(cells.values(), default=1)
    left, head = 200, 140
    w, h = left + cell * len(cols) + 10, head + cell * len(rows) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" '
        'aria-label="label transition matrix">'
    ]
    for j, b in enumerate(cols):
        x = left + j * cell + cell / 2
        parts.append(
            f'<text transform="translate({x:.0f},{head - 6}) rotate(-45)">{escape(b[:28])}</text>'
        )
    for i, a in enumerate(rows):
        y = head + i * cell
        parts.append(
            f'<text x="{left - 6}" y="{y + cell / 2 + 4:.0f}" text-anchor="end">'
            f"{escape(a[:28])}</text>"
        )
        for j, b in enumerate(cols):
            c = cells.get((a, b), 0)
            shade = 0 if not c else 0.15 + 0.85 * c / top
            colour = "#2ca25f" if a == b else "#de2d26"
            parts.append(
                f'<rect x="{left + j * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{colour}" fill-opacity="{shade:.2f}" stroke="#ddd">'
                f"<title>{escape(a)} → {escape(b)}: {c:,}</title></rect>"
            )
            if c:
                parts.append(
                    f'<text x="{left + j * cell + cell / 2 - 1:.0f}" y="{y + cell / 2 + 4:.0f}" '
                    f'text-anchor="middle">{c:,}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)


def coverage_html(doc: dict[str, Any]) -> str:
    rules = doc["rules"]
    chart = bar_chart(
        [(f"{r['name']} (line {r['line']})", r["matched"], r["decided"]) for r in rules]
    )
    table = [
        "<table><tr><th>rule</th><th>line</th><th>label</th><th>matched</th><th>decided</th></tr>"
    ]
    for r in rules:
        cls = ' class="never"' if r["matched"] == 0 else ""
        table.append(
            f"<tr{cls}><td>{escape(r['name'])}</td><td class=n>{r['line']}</td>"
            f"<td>{escape(r['label'])}</td><td class=n>{r['matched']:,}</td>"
            f"<td class=n>{r['decided']:,}</td></tr>"
        )
    table.append("</table>")
    labels = "".join(
        f"<tr><td>{escape(k)}</td><td class=n>{v:,}</td></tr>" for k, v in doc["labels"].items()
    )
    never = ", ".join(escape(x) for x in doc["never_fired"]) or "none"
    body = (
        f"<p>{doc['rows']:,} rows (as of {escape(doc['as_of'])}); {doc['bad_rows']:,} bad; "
        f"{doc['default_rows']:,} fell to the default; {doc['unlabelled_rows']:,} got no label. "
        f"Rules that never fired: <span class=never>{never}</span>.</p>"
        f"<h2>Rows matched and decided per rule</h2>{chart}{''.join(table)}"
        f"<h2>Labels</h2><table><tr><th>label</th><th>rows</th></tr>{labels}</table>"
    )
    return _page(f"Coverage of {doc['ruleset']} ({doc['file']})", body)


def diff_html(doc: dict[str, Any]) -> str:
    parts = []
    if doc["rules"]:
        parts.append(
            "<h2>Rules</h2><table><tr><th>rule</th><th>change</th><th>before</th><th>after</th></tr>"
        )
        for r in doc["rules"]:
            parts.append(
                f"<tr><td>{escape(r['name'])}</td><td>{escape(r['change'])}</td>"
                f"<td>{escape(r['old'] or '')}</td><td>{escape(r['new'] or '')}</td></tr>"
            )
        parts.append("</table>")
    labels = doc["labels"]
    for what in ("added", "removed"):
        if labels[what]:
            parts.append(f"<p>Labels {what}: {escape(', '.join(labels[what]))}</p>")
    for r in labels["renamed"]:
        parts.append(f"<p>Label renamed: {escape(r['old'])} → {escape(r['new'])}</p>")
    data = doc["data"]
    if data is not None:
        cells = {(t["from"], t["to"]): t["count"] for t in data["transitions"]}
        parts.append(
            f"<h2>Label transitions</h2><p>{data['changed']:,} of {data['rows']:,} customers "
            f"change label.</p>{heat_map(cells)}"
        )
        for ex in data["examples"]:
            parts.append(f"<h3>{escape(ex['from'])} → {escape(ex['to'])}</h3><ul>")
            for row in ex["rows"]:
                why = row["why"]
                parts.append(
                    f"<li>row {row['row'] + 1}: before {escape(str(why['old']['label']))} by "
                    f"{escape(str(why['old']['rule']))} <code>{escape(str(why['old']['condition']))}</code>"
                    f"; after {escape(str(why['new']['label']))} by {escape(str(why['new']['rule']))} "
                    f"<code>{escape(str(why['new']['condition']))}</code></li>"
                )
            parts.append("</ul>")
    title = f"Diff of {doc['old']['file']} → {doc['new']['file']}"
    return _page(title, "\n".join(parts) or "<p>No change.</p>")
