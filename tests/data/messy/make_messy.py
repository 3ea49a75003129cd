"""Write the messy exports of tests/test_intake.py: `python tests/data/messy/make_messy.py`.

Each file holds the same customers as the real exports write them (rows below); `CLEAN` is
what each one means, so a test can compare the labels of a messy file with the labels of its
clean meaning. The files are small and committed; this script is how they were made.
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).parent
COLUMNS = ["customer_id", "最近购买天数", "frequency", "tenure", "monetary"]

# (clean meaning, GBK CSV cells, semicolon/decimal-comma cells, tab/N/A cells); None: missing
ROWS = [
    # id, recency, frequency, tenure, monetary
    (
        ("C1", 400, 3, 900, 3500),
        ("400", "3", "900", "￥3,500"),
        ("400", "3", "900", "3.500,00"),
        ("400", "3", "900", "3500"),
    ),
    (
        ("C2", 200, 5, 600, 12000),
        ("200天", "5", "600", "1.2万"),
        ("200", "5", "600", "12.000"),
        ("200", "5", "600", "12000"),
    ),
    (
        ("C3", 10, 15, 20, 800.5),
        ("10", "15", "20", "￥800.50"),
        ("10", "15", "20", "800,5"),
        ("10", "15", "20", "800.5"),
    ),
    (
        ("C4", 20, 13, 500, None),
        ("20", "13", "500", "N/A"),
        ("20", "13", "500", ""),
        ("20", "13", "500", "N/A"),
    ),
    (
        ("C5", 60, 2, 400, 3000),
        ("60", "2", "400", "3 000元"),
        ("60", "2", "400", "3 000,00"),
        ("60", "2", "400", "3,000"),
    ),
    (
        ("C6", None, 4, 300, 100),
        ("—", "4", "300", "100"),
        ("-", "4", "300", "100"),
        ("N/A", "4", "300", "100"),
    ),
    (
        ("C7", 90, None, 700, -50),
        ("90", "无", "700", "(50)"),
        ("90", "NA", "700", "-50"),
        ("90", "null", "700", "-50"),
    ),
    (
        ("C8", 15, 12, 40, 25000),
        ("15", "12", "40", "2.5万"),
        ("15", "12", "40", "25.000"),
        ("15", "12", "40", "25000"),
    ),
    (
        ("C9", 500, 1, 1000, 0),
        ("500", "1", "1000", "0"),
        ("500", "1", "1000", "0"),
        ("500", "1", "1000", "0"),
    ),
    # a value no policy reads: rejected, with its row, column and reason
    (
        ("C10", "bad", 3, 400, 10),
        ("abc", "3", "400", "10"),
        ("abc", "3", "400", "10"),
        ("abc", "3", "400", "10"),
    ),
]


def clean() -> list[dict[str, object]]:
    return [dict(zip(COLUMNS, r[0], strict=True)) for r in ROWS]


def _write_csv(path: Path, cells: int, delimiter: str, encoding: str) -> None:
    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator="\r\n")
        w.writerow(COLUMNS)
        for r in ROWS:
            w.writerow([r[0][0], *r[cells]])


def _write_xlsx(path: Path) -> None:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "说明"
    notes.append(["本表由 CRM 导出，金额单位：元"])
    notes.append(["导出时间：2024-06-30"])
    sheet = book.create_sheet("客户")
    sheet.append(["客户明细（2024 年 6 月）"])  # a title row over the table
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
    sheet.append([])  # a blank row
    sheet.append(COLUMNS)
    for c in sheet[3]:
        c.font = Font(bold=True)
    for r in ROWS:
        meaning, cells = r[0], r[1]
        # numbers as Excel stores them; the text cells as exported
        row: list[object] = [meaning[0]]
        for value, text in zip(meaning[1:], cells, strict=True):
            if isinstance(value, (int, float)) and text.isdigit():
                row.append(value)
            else:  # the half-width yen sign, which GBK lacks
                row.append(text.replace("￥", "¥"))
        sheet.append(row)
    book.save(path)


def main() -> None:
    _write_csv(HERE / "gbk_yuan.csv", 1, ",", "gbk")
    _write_csv(HERE / "semicolon_decimal_comma.csv", 2, ";", "utf-8")
    _write_csv(HERE / "tab_na.tsv", 3, "\t", "utf-8")
    _write_xlsx(HERE / "title_and_notes.xlsx")


if __name__ == "__main__":
    main()
