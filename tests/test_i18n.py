"""The Chinese and English interface (rulekit.i18n): which language applies, diagnostics and
the command line in both, the gettext catalog in sync with the code, CJK table alignment."""

from __future__ import annotations

import io
import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from rich.cells import cell_len
from rich.console import Console

import rulekit
from rulekit import i18n
from rulekit.errors import CODES

from .cli_support import ROOT, cli_fixture  # noqa: F401  (the `cli` fixture)
from .make_golden import FIXTURE, parse_cases

LOCALE = ROOT / "rulekit" / "locale" / "zh" / "LC_MESSAGES"
CJK = re.compile(r"[\u4e00-\u9fff]")
EN_FILE = 'field a : number "甲"\nIF b > 1 THEN x\n'
ZH_FILE = '字段 a : number "甲"\n如果 b > 1 那么 x\n'


# ---------------------------------------------------------------- which language
@pytest.mark.parametrize(
    "value,lang",
    [
        ("zh", "zh"),
        ("zh_CN.UTF-8", "zh"),
        ("zh_TW", "zh"),
        ("en", "en"),
        ("en_US.UTF-8", "en"),
        ("C.UTF-8", None),
        ("POSIX", None),
        ("fr_FR.UTF-8", None),
        ("", None),
    ],
)
def test_locale_names(value, lang):
    assert i18n.normalize(value) == lang


def test_resolution_order():
    zh_text = "如果 a > 1 那么 b\n"
    env = {"RULEKIT_LANG": "en", "LC_ALL": "zh_CN.UTF-8", "LANG": "zh_CN.UTF-8"}
    assert i18n.resolve("zh", zh_text, env) == "zh"  # explicit first
    assert i18n.resolve(None, zh_text, env) == "en"  # then RULEKIT_LANG
    assert i18n.resolve(None, None, {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US"}) == "zh"
    assert i18n.resolve(None, None, {"LC_ALL": "", "LC_MESSAGES": "zh_CN", "LANG": "en"}) == "zh"
    assert i18n.resolve(None, None, {"LANG": "zh_CN.UTF-8"}) == "zh"  # then the locale
    assert i18n.resolve(None, zh_text, {"LANG": "C.UTF-8"}) == "zh"  # then the file's keywords
    assert i18n.resolve(None, "IF a > 1 THEN b\n", {"LANG": "C.UTF-8"}) == "en"
    assert i18n.resolve(None, None, {}) == "en"  # else English
    with i18n.use("zh"):  # the CLI's --lang beats the environment
        assert i18n.resolve(None, None, env) == "zh"
        assert i18n.resolve("en", None, env) == "en"
    with pytest.raises(ValueError, match="use zh or en"):
        i18n.resolve("fr")


# ---------------------------------------------------------------- diagnostics
def _cases_by_code():
    out = {}
    for name, source, _ in parse_cases(FIXTURE.read_text(encoding="utf-8")):
        program = rulekit.check_text(source, "case.rules", strict=name.startswith("strict"))
        for d in program.diagnostics:
            out.setdefault(d.code, d)
    return out


def test_every_diagnostic_code_speaks_both_languages():
    by_code = _cases_by_code()
    assert sorted(by_code) == sorted(CODES)
    for code, d in by_code.items():
        en, zh = d.to_dict(lang="en"), d.to_dict(lang="zh")
        assert en["code"] == zh["code"] == code
        for key in ("message", "hint"):
            if en[key] is None:
                continue
            assert zh[key] != en[key] or CJK.search(en[key]), (code, key, en[key])
            assert CJK.search(zh[key]), (code, key, zh[key])
        assert d.render("zh").startswith(f"错误[{code}]" if d.severity == "error" else "警告[")
        assert d.render("en").startswith(f"{d.severity}[{code}]")
    for meaning in CODES.values():
        assert CJK.search(i18n.gettext(meaning, "zh")), meaning


def test_a_chinese_file_gets_chinese_diagnostics_and_an_english_one_english():
    [zh] = rulekit.check_text(ZH_FILE, "t.rules").diagnostics
    assert zh.render().startswith("错误[unknown-field]: 未知字段 `b`")
    assert "= 提示: 请声明它" not in zh.render()  # (fields declared: a did-you-mean)
    assert "是不是想写 `a`？" in zh.render()
    [en] = rulekit.check_text(EN_FILE, "t.rules").diagnostics
    assert en.render().startswith("error[unknown-field]: unknown field `b`")
    assert en.render(lang="zh").startswith("错误[unknown-field]: 未知字段 `b`")
    first, *_, hint = zh.render(lang="en").splitlines()
    assert (first, hint) == (
        "error[unknown-field]: unknown field `b`",
        "  = hint: did you mean `a`?",
    )


def test_the_environment_chooses_before_the_keywords(monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    [d] = rulekit.check_text(EN_FILE, "t.rules").diagnostics
    assert d.render().startswith("错误[")
    monkeypatch.setenv("RULEKIT_LANG", "en")
    [d] = rulekit.check_text(ZH_FILE, "t.rules").diagnostics
    assert d.render().startswith("error[") and d.message == "unknown field `b`"


def test_rule_error_renders_in_either_language():
    with pytest.raises(rulekit.RuleError) as info:
        rulekit.compile(EN_FILE, "t.rules")
    assert "未知字段 `b`" in info.value.render(lang="zh")
    assert "unknown field `b`" in info.value.render(lang="en")
    assert info.value.render() == info.value.render(lang="en")


@pytest.mark.parametrize(
    "text,fix",
    [
        ('字段 城市 : string "城市"\n如果 城市 = 北京 那么 x\n', '"北京"'),
        ("如果 a > 1 和 b < 2 那么 x\n", "`且`、`并且` 或 `AND`"),
        ("如果 a 大于 1 那么 x\n", "`>`"),
        ("如果 a > 180 天 那么 x\n", "`180d` 或 `180天`"),
    ],
)
def test_common_slips_get_the_fix_in_chinese(text, fix):
    [d] = rulekit.check_text(text, "t.rules").diagnostics
    hint = d.to_dict(lang="zh")["hint"] or ""
    assert fix in hint and CJK.search(hint.replace(fix, ""))


# ---------------------------------------------------------------- the command line
def test_cli_lang_overrides_the_file_and_the_environment(cli, tmp_path, monkeypatch):
    path = tmp_path / "zh.rules"
    path.write_text(ZH_FILE, encoding="utf-8")
    result = cli("check", path)
    assert result.code == 1 and "错误[unknown-field]: 未知字段 `b`" in result.out
    assert "1 file checked" in result.out  # the interface itself: as the environment says
    assert "已检查 1 个文件：1 个错误，0 个警告" in cli("--lang", "zh", "check", path).out
    result = cli("--lang", "en", "check", path)
    assert "error[unknown-field]: unknown field `b`" in result.out
    assert "1 file checked: 1 error, 0 warnings" in result.out
    monkeypatch.setenv("RULEKIT_LANG", "zh")
    result = cli("check", path, "--lang=en", "--format", "json")
    assert '"message": "unknown field `b`"' in result.out
    result = cli("check", path, "--format", "json")
    assert '"message": "未知字段 `b`"' in result.out and '"code": "unknown-field"' in result.out


def test_cli_unknown_language_is_a_usage_error(cli):
    result = cli("--lang", "fr", "list")
    assert result.code == 2 and "use zh or en" in result.err


def test_cli_help_in_chinese(cli, monkeypatch):
    result = cli("--lang", "zh", "run", "--help")
    assert "用一个或多个规则集给数据文件的每一行分类" in result.out
    assert "输出文件，格式由扩展名决定" in result.out and "选项" in result.out
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert "检查规则文件" in cli("--help").out
    monkeypatch.setenv("LANG", "C.UTF-8")
    result = cli("run", "--help")  # back in English in the same process
    assert "Classify every row of a data file" in result.out and "Options" in result.out


def test_run_summary_in_chinese(cli):
    args = ["run", "lifecycle", "--data", "examples/data/customers.csv", "--as-of", "2024-06-30"]
    result = cli("--lang", "zh", *args)
    assert result.code == 0
    assert "输入 2,000 行 = 有标签" in result.out and "（无标签）" in result.out


# ---------------------------------------------------------------- CJK alignment
def test_explain_and_why_not_in_chinese(cli):
    """The values (`20 天`) and what a failed test needs (`还差 1`) were English in a Chinese
    explanation; the JSON document keeps English (it is data)."""
    args = [
        "--lang", "zh", "explain", "lifecycle", "--set", "orders_count=12",
        "--set", "recency_days=20d", "--set", "tenure_days=700d", "--set", "frequency=3",
        "--as-of", "2024-06-30", "--why-not", "active",
    ]  # fmt: skip
    out = cli(*args).out
    assert "来自命令行" in out and "recency_days = 20 天" in out
    assert "需要 ≥ 4 orders/window：还差 1" in out
    assert not re.search(r"\bneeds\b|\bdays\b|given on the command line", out)
    english = cli(*[a for a in args if a not in ("--lang", "zh")], "--format", "json").out
    assert "needs ≥ 4 orders/window: 1 more" in english


def test_cjk_columns_line_up():
    from rulekit.render.summary import summary_text

    doc = {
        "ruleset": "t",
        "display": "测试",
        "rows_in": 10,
        "labelled": 9,
        "unlabelled": 1,
        "rejected": 0,
        "hit": "first",
        "labels": [
            {"label": "沉睡客户", "display": "沉睡", "count": 3, "share": 0.3},
            {"label": "a", "display": "很长的中文显示名称", "count": 6, "share": 0.6},
        ],
    }
    for lang in ("en", "zh"):
        console = Console(width=100, record=True, color_system=None, file=io.StringIO())
        with i18n.use(lang):
            console.print(summary_text(doc))  # type: ignore[arg-type]
        lines = [ln for ln in console.export_text().splitlines() if "%" in ln or "占比" in ln]
        lines = lines + [ln for ln in console.export_text().splitlines() if "share" in ln]
        # where the count column ends (right-aligned), in terminal cells, is the same everywhere
        ends = {
            cell_len(ln[: m.end()])
            for ln in lines
            for m in [re.search(r"\d+%|占比|share", ln)]
            if m
        }
        assert len(ends) == 1, console.export_text()
        starts = {
            cell_len(ln[: ln.index(x)])
            for ln in lines
            for x in ("沉睡", "很长")
            if x in ln and ln.index(x) > 4
        }
        assert len(starts) == 1, console.export_text()


# ---------------------------------------------------------------- the catalog
def test_committed_mo_matches_the_po():
    with open(LOCALE / "rulekit.po", "rb") as f:
        catalog = read_po(f)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    assert (LOCALE / "rulekit.mo").read_bytes() == buf.getvalue(), (
        "rulekit.mo is stale: run python -m tests.make_catalog"
    )


def test_every_message_has_a_chinese_translation():
    with open(LOCALE / "rulekit.po", "rb") as f:
        catalog = read_po(f)
    empty = [m.id for m in catalog if m.id and not m.string]
    assert empty == [], "translate these in rulekit/locale/zh/LC_MESSAGES/rulekit.po"
    translated = {m.id for m in catalog if m.id}
    marked = {
        message
        for _, _, message, *_ in extract_from_dir(
            str(ROOT / "rulekit"),
            method_map=[("**.py", "python")],
            keywords={"Msg": None, "N_": None, "gettext": None},
        )
    }
    from rulekit.cli import app
    from rulekit.cli.helptext import help_texts

    marked |= set(help_texts(app))
    missing = sorted(m for m in marked if isinstance(m, str) and m not in translated)
    assert missing == [], "run python -m tests.make_catalog, then translate the new messages"


def test_the_wheel_ships_the_compiled_catalog():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert "rulekit/locale/**/*.mo" in wheel["artifacts"]
    assert Path(i18n.LOCALE_DIR, "zh", "LC_MESSAGES", "rulekit.mo").is_file()
