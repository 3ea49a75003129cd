"""
Synthetic customers
===================

A seeded generator of a realistic synthetic customer table, for trying rulekit's rulesets on data
that looks like a CRM export: one row per customer with every input field of the catalog's field
vocabulary (``shared/catalog/schemes.md``, section "Field vocabulary"), and optionally the order
ledger behind the purchase fields (one row per order).

The data is skewed and internally consistent: log-normal order values make spend Pareto-like;
about one record in six is a prospect who never bought (``orders_count = 0``, no recency, no spend);
``frequency <= orders_count``; ``recency_days <= tenure_days``; ``avg_order_value`` is
``monetary / frequency``; the ledger reproduces each customer's first and last purchase, order count,
in-window frequency and spend to the cent. As in a real export, some fields apply to part of the
customers only (behaviour signals to customers a salesperson has met, bank-account fields to
customers with a payment account, the home-decoration funnel to households and individuals), and a
few percent of the other non-key values are missing. The distributions are broad enough that every
label of every catalog scheme occurs.

Run it::

    python examples/generate_customers.py --rows 2000 --seed 42 --out customers.csv
    python examples/generate_customers.py --rows 300 --out customers_zh.csv --chinese-headers
    python examples/generate_customers.py --rows 300 --out customers.xlsx --transactions orders.csv
    python examples/generate_customers.py --rows 1000000 --seed 7 --out big.parquet

The file type follows the extension: ``.csv``, ``.jsonl``, ``.parquet`` (pyarrow) or ``.xlsx``
(openpyxl). The same seed and as-of date always give the same rows, and the first N rows of a larger
table are the table of N rows. From Python::

    from generate_customers import generate_customers, generate_transactions
    customers = generate_customers(500, seed=42, as_of="2024-06-30")
    orders = generate_transactions(customers, seed=42)
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import json
import math
import random
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

DEFAULT_SEED = 42
DEFAULT_AS_OF = dt.date(2024, 6, 30)
HOME_COUNTRY = "CN"
SALES_REGIONS = ("广东", "浙江", "江苏", "上海")
WINDOW_DAYS = 365
USD_CNY = 7.1  # money is in CNY; order_size_usd converts at this fixed rate
DEFAULT_MISSING = 0.03  # share of values left empty in a field that may be missing
BATCH_ROWS = 10_000
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row

__all__ = [
    "CHINESE_HEADERS",
    "FIELDS",
    "FIELD_NAMES",
    "TRANSACTION_CHINESE_HEADERS",
    "TRANSACTION_FIELDS",
    "cell_text",
    "generate_customers",
    "generate_transactions",
    "iter_customers",
    "iter_transactions",
    "main",
    "write_rows",
]

# Chinese column headers for the core RFM / lifecycle columns (``--chinese-headers``); the other
# columns keep their vocabulary names.
CHINESE_HEADERS: dict[str, str] = {
    "customer_id": "客户编号",
    "as_of_date": "统计日期",
    "customer_entity_type": "客户类型",
    "country": "国家",
    "province": "省份",
    "city": "城市",
    "orders_count": "订单总数",
    "tenure_days": "成为客户天数",
    "recency_days": "最近购买天数",
    "window_days": "统计窗口天数",
    "frequency": "购买次数",
    "monetary": "累计消费金额",
    "lifetime_monetary": "历史消费总额",
    "avg_order_value": "客单价",
    "profit": "利润贡献",
    "purchase_interval_days_avg": "平均购买间隔天数",
    "last_interaction_days": "最近互动天数",
    "loyalty_score": "忠诚度评分",
    "relationship_type": "合作关系",
    "value_score": "客户价值评分",
    "growth_potential_score": "增长潜力评分",
}

TRANSACTION_FIELDS: tuple[tuple[str, str], ...] = (
    ("customer_id", "string"),
    ("order_id", "string"),
    ("order_date", "date"),
    ("amount", "decimal"),
)
TRANSACTION_CHINESE_HEADERS: dict[str, str] = {
    "customer_id": "客户编号",
    "order_id": "订单编号",
    "order_date": "下单日期",
    "amount": "订单金额",
}


# ---------------------------------------------------------------------------------------------
# Value specs: small callables (rng, row, ctx) -> value. A spec may lean on an earlier field
# (``by``) so that correlated signals stay simple: "arrogant people are more often stubborn".
# ---------------------------------------------------------------------------------------------


def _lean(row: dict, by: str | None) -> float | None:
    """How strongly the driver field pushes: a 1..5 rating maps to -1..1, a flag to 0/1."""
    if by is None:
        return None
    if "=" in by:  # "pace=fast": 1 when the field has that value
        name, wanted = by.split("=", 1)
        value = row[name]
        return None if value is None else float(value == wanted)
    value = row[by]
    if value is None:
        return None
    if isinstance(value, bool):
        return float(value)
    return (value - 3) / 2


@dataclass(frozen=True, slots=True)
class Const:
    value: object

    def __call__(self, rng: random.Random, row: dict, ctx: dict) -> object:
        return self.value


@dataclass(frozen=True, slots=True)
class Flag:
    """A boolean with probability ``p``, moved by ``lift`` as the driver ``by`` rises."""

    p: float
    by: str | None = None
    lift: float = 0.0

    def __call__(self, rng: random.Random, row: dict, ctx: dict) -> bool:
        if self.by is None:
            return rng.random() < self.p
        lean = _lean(row, self.by)
        p = self.p if lean is None else min(1.0, max(0.0, self.p + self.lift * lean))
        return rng.random() < p


class Choice:
    """One of several values with the given weights (``{value: weight}``)."""

    __slots__ = ("values", "cum", "total")

    def __init__(self, weights: dict[object, float]):
        self.values = tuple(weights)
        total, cum = 0.0, []
        for weight in weights.values():
            total += weight
            cum.append(total)
        self.cum = tuple(cum[:-1])
        self.total = total

    def __call__(
        self, rng: random.Random, row: dict | None = None, ctx: dict | None = None
    ) -> object:
        return self.values[bisect.bisect(self.cum, rng.random() * self.total)]


class Rating:
    """A 1..5 rating: with probability ``follow`` it tracks the driver ``by`` (a rating, or a
    number cut into five bands by ``cuts``), otherwise it is drawn from ``weights``."""

    __slots__ = ("by", "follow", "cuts", "draw")

    def __init__(self, weights=(0.15, 0.2, 0.3, 0.2, 0.15), by=None, follow=0.0, cuts=None):
        self.by, self.follow, self.cuts = by, follow, cuts
        self.draw = Choice(dict(zip(range(1, 6), weights, strict=True)))

    def __call__(self, rng: random.Random, row: dict, ctx: dict) -> int:
        value = row[self.by] if self.by else None
        if value is not None and rng.random() < self.follow:
            rating = 1 + bisect.bisect(self.cuts, value) if self.cuts else int(value)
            if rng.random() < 0.25:
                rating += 1 if rng.random() < 0.5 else -1
            return min(5, max(1, rating))
        return self.draw(rng)


@dataclass(frozen=True, slots=True)
class Count:
    """A non-negative count, geometric with the given mean (``lift`` scales it by the driver)."""

    mean: float
    by: str | None = None
    lift: float = 0.0

    def __call__(self, rng: random.Random, row: dict, ctx: dict) -> int:
        lean = _lean(row, self.by)
        mean = self.mean if lean is None else max(0.0, self.mean * (1 + self.lift * lean))
        return _geometric(rng, mean)


@dataclass(frozen=True, slots=True)
class Custom:
    """Anything else: ``fn(rng, row, ctx)``."""

    fn: Callable[[random.Random, dict, dict], object]

    def __call__(self, rng: random.Random, row: dict, ctx: dict) -> object:
        return self.fn(rng, row, ctx)


@dataclass(frozen=True, slots=True)
class Block:
    """The field is filled, together with correlated fields, by the named block function."""

    name: str


@dataclass(frozen=True, slots=True)
class Derived:
    """Computed from the final row (after missing values are sprinkled), like the engine would."""

    fn: Callable[[dict], object]


@dataclass(frozen=True, slots=True)
class Field:
    """One column: its vocabulary name, type and kind, and how its values are made."""

    name: str
    type: str  # the vocabulary's type, verbatim: int, decimal, bool, enum[a, b], list[string]…
    kind: str  # data, crm, signal, config or derived, as in the vocabulary
    gen: object  # a spec, Block or Derived
    scope: str | None = None  # rows the field applies to (see _SCOPES); others get None
    missing: float = DEFAULT_MISSING

    @property
    def values(self) -> tuple[str, ...]:
        """The allowed values of an enum field (empty for other types)."""
        if not self.type.startswith("enum["):
            return ()
        return tuple(v.strip() for v in self.type[5:-1].split(","))


def F(name, type_, kind, gen, scope=None, missing=None) -> Field:
    """Table shorthand: signals are scoped to observed customers; config never goes missing."""
    if scope is None and kind == "signal":
        scope = "observed"  # behaviour signals exist only where a salesperson has met the customer
    if missing is None:
        missing = (
            0.0 if kind in ("config", "derived") or isinstance(gen, Derived) else DEFAULT_MISSING
        )
    return Field(name, type_, kind, gen, scope, missing)


# ---------------------------------------------------------------------------------------------
# Random helpers
# ---------------------------------------------------------------------------------------------


def _geometric(rng: random.Random, mean: float) -> int:
    """Failures before a success, with the given mean (0 for mean <= 0)."""
    if mean <= 0:
        return 0
    q = mean / (1 + mean)
    return int(math.log(1.0 - rng.random()) / math.log(q))


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, prod = math.exp(-lam), 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k


def _binomial(rng: random.Random, n: int, p: float) -> int:
    if n <= 0 or p <= 0:
        return 0
    if p >= 1:
        return n
    if n > 40:
        return min(n, max(0, round(rng.gauss(n * p, math.sqrt(n * p * (1 - p))))))
    return sum(rng.random() < p for _ in range(n))


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def _clamp(value: float, lo: float, hi: float) -> float:
    return lo if value < lo else hi if value > hi else value


# ---------------------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------------------

ENTITY = Choice(
    {
        "individual": 0.55,
        "household": 0.10,
        "enterprise": 0.15,
        "government": 0.03,
        "wholesaler": 0.05,
        "retailer": 0.06,
        "distributor": 0.04,
        "internal": 0.02,
    }
)
PERSON_ENTITIES = frozenset({"individual", "household"})
RESELLER_ENTITIES = frozenset({"wholesaler", "retailer", "distributor"})

# Median order value in CNY per entity type (log-normal, sigma beside it).
ORDER_VALUE = {
    "individual": (260.0, 1.0),
    "household": (420.0, 1.0),
    "enterprise": (6000.0, 1.2),
    "government": (12000.0, 1.1),
    "wholesaler": (40000.0, 1.2),
    "retailer": (8000.0, 1.1),
    "distributor": (60000.0, 1.2),
    "internal": (900.0, 0.9),
}
SIZE_FACTOR = {"large": 3.0, "medium": 1.0, "small": 0.45, None: 1.0}

INDUSTRY_BY_ENTITY = {
    "person": Choice(
        {
            "finance": 0.08,
            "manufacturing": 0.18,
            "services": 0.22,
            "healthcare": 0.07,
            "retail": 0.1,
            "government": 0.05,
            "education": 0.08,
            "other": 0.22,
        }
    ),
    "enterprise": Choice(
        {
            "finance": 0.1,
            "manufacturing": 0.33,
            "services": 0.2,
            "healthcare": 0.08,
            "retail": 0.1,
            "government": 0.01,
            "education": 0.05,
            "other": 0.13,
        }
    ),
    "government": Choice({"government": 0.85, "education": 0.1, "healthcare": 0.05}),
    "reseller": Choice({"retail": 0.6, "manufacturing": 0.15, "services": 0.05, "other": 0.2}),
    "internal": Choice({"manufacturing": 0.6, "services": 0.3, "other": 0.1}),
}
COMPANY_SIZE = Choice({"large": 0.15, "medium": 0.35, "small": 0.5})
GOVERNMENT_SIZE = Choice({"large": 0.4, "medium": 0.4, "small": 0.2})
GENDER = Choice({"female": 0.49, "male": 0.47, "other": 0.01, "unknown": 0.03})
OCCUPATIONS = Choice(
    {
        "工程师": 0.12,
        "科学家": 0.02,
        "研究员": 0.04,
        "程序员": 0.08,
        "教师": 0.07,
        "医生": 0.04,
        "律师": 0.02,
        "会计": 0.05,
        "销售": 0.1,
        "公务员": 0.06,
        "设计师": 0.05,
        "个体经营者": 0.1,
        "企业主": 0.05,
        "学生": 0.06,
        "退休人员": 0.08,
        "自由职业": 0.06,
    }
)
SCIENCE_JOBS = frozenset({"工程师", "科学家", "研究员", "程序员", "医生"})
ARTS_JOBS = frozenset({"教师", "律师", "会计", "销售", "公务员", "设计师"})

# Chinese provinces (short names) with China's east / central / west belts and main cities;
# the weight is roughly the share of customers.
PROVINCES: dict[str, tuple[str, float, tuple[str, ...]]] = {
    "北京": ("east", 6, ("北京",)),
    "天津": ("east", 2, ("天津",)),
    "河北": ("east", 3, ("石家庄", "唐山", "保定")),
    "辽宁": ("east", 3, ("沈阳", "大连")),
    "上海": ("east", 7, ("上海",)),
    "江苏": ("east", 8, ("南京", "苏州", "无锡", "常州")),
    "浙江": ("east", 8, ("杭州", "宁波", "温州", "义乌")),
    "福建": ("east", 4, ("福州", "厦门", "泉州")),
    "山东": ("east", 6, ("济南", "青岛", "烟台")),
    "广东": ("east", 12, ("广州", "深圳", "东莞", "佛山")),
    "海南": ("east", 1, ("海口", "三亚")),
    "山西": ("central", 1.5, ("太原", "大同")),
    "吉林": ("central", 1.5, ("长春", "吉林")),
    "黑龙江": ("central", 1.5, ("哈尔滨", "大庆")),
    "安徽": ("central", 3, ("合肥", "芜湖")),
    "江西": ("central", 2, ("南昌", "赣州")),
    "河南": ("central", 4, ("郑州", "洛阳")),
    "湖北": ("central", 4, ("武汉", "宜昌")),
    "湖南": ("central", 3.5, ("长沙", "株洲")),
    "内蒙古": ("west", 1, ("呼和浩特", "包头")),
    "广西": ("west", 2, ("南宁", "桂林")),
    "重庆": ("west", 3, ("重庆",)),
    "四川": ("west", 5, ("成都", "绵阳")),
    "贵州": ("west", 1.5, ("贵阳", "遵义")),
    "云南": ("west", 2, ("昆明", "大理")),
    "西藏": ("west", 0.3, ("拉萨",)),
    "陕西": ("west", 3, ("西安", "宝鸡")),
    "甘肃": ("west", 1, ("兰州",)),
    "青海": ("west", 0.4, ("西宁",)),
    "宁夏": ("west", 0.4, ("银川",)),
    "新疆": ("west", 1, ("乌鲁木齐", "喀什")),
}
PROVINCE_ZONE = {name: zone for name, (zone, _, _) in PROVINCES.items()}
PROVINCE = Choice({name: weight for name, (_, weight, _) in PROVINCES.items()})
BIG_CITIES = frozenset(
    {"北京", "天津", "上海", "广州", "深圳", "杭州", "南京", "苏州", "成都", "武汉", "重庆", "西安"}
)
FOREIGN: dict[str, tuple[float, tuple[tuple[str, str], ...]]] = {
    "US": (3, (("California", "Los Angeles"), ("New York", "New York"), ("Texas", "Houston"))),
    "JP": (1.5, (("Tokyo", "Tokyo"), ("Osaka", "Osaka"))),
    "KR": (1.2, (("Seoul", "Seoul"), ("Busan", "Busan"))),
    "DE": (1.2, (("Bavaria", "Munich"), ("Hamburg", "Hamburg"))),
    "GB": (1, (("England", "London"), ("England", "Manchester"))),
    "SG": (1, (("Singapore", "Singapore"),)),
    "AU": (0.8, (("New South Wales", "Sydney"), ("Victoria", "Melbourne"))),
    "VN": (1, (("Ho Chi Minh City", "Ho Chi Minh City"), ("Hanoi", "Hanoi"))),
    "AE": (0.8, (("Dubai", "Dubai"),)),
    "BR": (0.6, (("São Paulo", "São Paulo"),)),
    "IN": (0.8, (("Maharashtra", "Mumbai"),)),
    "FR": (0.6, (("Île-de-France", "Paris"),)),
}
FOREIGN_COUNTRY = Choice({code: weight for code, (weight, _) in FOREIGN.items()})
FOREIGN_SHARE = 0.14

# ---------------------------------------------------------------------------------------------
# Blocks: groups of correlated fields, filled together the first time one of them is reached.
# ---------------------------------------------------------------------------------------------


def _entity_block(rng: random.Random, row: dict, ctx: dict) -> None:
    entity = ENTITY(rng, row, ctx)
    person = entity in PERSON_ENTITIES
    reseller = entity in RESELLER_ENTITIES
    ctx["person"] = person
    row["customer_entity_type"] = entity
    row["resells_product"] = rng.random() < (
        0.92 if reseller else 0.0 if entity == "internal" else 0.02
    )
    row["embeds_in_own_product"] = rng.random() < (
        0.3 if entity == "enterprise" else 0.08 if reseller else 0.005
    )
    row["is_internal"] = entity == "internal" or rng.random() < 0.003
    group = "person" if person else "reseller" if reseller else entity
    row["industry"] = INDUSTRY_BY_ENTITY[group](rng, row, ctx)
    if person:
        age = int(_clamp(rng.gauss(38, 13), 18, 88))
        row["age"] = age
        row["gender"] = GENDER(rng, row, ctx)
        peak = 1.0 - abs(age - 45) / 60  # income peaks in mid-career
        row["annual_income"] = float(round(_lognormal(rng, 110_000 * peak, 0.65), -2))
        job = "退休人员" if age >= 62 and rng.random() < 0.7 else OCCUPATIONS(rng, row, ctx)
        if job == "学生" and age > 30:
            job = "自由职业"
        row["occupation"] = job
        science = 0.75 if job in SCIENCE_JOBS else 0.15 if job in ARTS_JOBS else 0.3
        u = rng.random()
        row["education_background"] = (
            "engineering_science"
            if u < science
            else "liberal_arts"
            if u < science + (0.7 if job in ARTS_JOBS else 0.35)
            else "other"
            if u < 0.95
            else "unknown"
        )
    elif entity != "internal":
        size = GOVERNMENT_SIZE if entity == "government" else COMPANY_SIZE
        row["company_size"] = size(rng, row, ctx)


def _geo_block(rng: random.Random, row: dict, ctx: dict) -> None:
    if rng.random() < FOREIGN_SHARE:
        country = FOREIGN_COUNTRY(rng, row, ctx)
        province, city = rng.choice(FOREIGN[country][1])
        urban = 0.85
    else:
        country = HOME_COUNTRY
        province = PROVINCE(rng, row, ctx)
        city = rng.choice(PROVINCES[province][2])
        urban = 0.93 if city in BIG_CITIES else 0.62
    ctx["foreign"] = country != HOME_COUNTRY
    row["country"] = country
    row["province"] = province
    row["city"] = city
    row["area_type"] = "urban" if rng.random() < urban else "rural"


def _draw_tenure(rng: random.Random) -> int:
    """Days since the first purchase: some brand-new customers, most older than a year."""
    u = rng.random()
    if u < 0.06:
        return rng.randint(0, 30)
    if u < 0.14:
        return rng.randint(31, 90)
    if u < 0.32:
        return rng.randint(91, 365)
    return min(3650, 366 + int(rng.expovariate(1 / 800)))


def _draw_recency(rng: random.Random, tenure: int) -> int:
    """Days since the last purchase of a repeat buyer (< tenure): active, lapsing or gone."""
    u = rng.random()
    if u < 0.45:
        days = int(rng.expovariate(1 / 22))
    elif u < 0.63:
        days = rng.randint(31, 180)
    elif u < 0.84:
        days = rng.randint(181, 365)
    else:
        days = 366 + int(rng.expovariate(1 / 300))
    return min(days, tenure - 1)


def _share_of(rng: random.Random, n: int, p: float) -> float:
    """Share of n purchases with some property (k / n), rounded."""
    return round(_binomial(rng, n, p) / n, 2)


def _ledger_block(rng: random.Random, row: dict, ctx: dict) -> None:
    """Order history: the fields an order ledger determines. Never left missing."""
    entity = row["customer_entity_type"]
    u = rng.random()
    kind = "prospect" if u < 0.16 else "one_time" if u < 0.36 else "repeat"
    ctx["kind"] = kind
    ctx["buyer"] = kind != "prospect"
    row["window_days"] = WINDOW_DAYS
    if kind == "prospect":
        contacted = rng.random() < 0.62
        ctx["contacted"] = contacted
        # a prospect's tenure is the age of the relationship; never-contacted records have none
        row["tenure_days"] = (
            min(rng.randint(0, 720), int(rng.expovariate(1 / 200))) if contacted else None
        )
        row.update(
            orders_count=0,
            frequency=0,
            monetary=0.0,
            lifetime_monetary=0.0,
            annual_purchase_volume=0.0,
            distinct_products_count=0,
        )
        return
    ctx["contacted"] = True
    tenure = _draw_tenure(rng)
    if kind == "one_time":
        if rng.random() < 0.45:  # many one-time buyers are recent: the second order may yet come
            tenure = rng.randint(0, WINDOW_DAYS - 1)
        orders = 1
        recency = tenure
        frequency = 1 if tenure < WINDOW_DAYS else 0
    else:
        tenure = max(tenure, 1)
        recency = _draw_recency(rng, tenure)
        rate = _clamp(_lognormal(rng, 4.5, 0.9), 0.3, 60.0)  # purchases per year
        if entity in RESELLER_ENTITIES:
            rate = min(60.0, rate * 2)
        orders = 2 + _poisson(rng, rate * (tenure - recency) / 365)
        if tenure < WINDOW_DAYS:
            frequency = orders
        elif recency >= WINDOW_DAYS:
            frequency = 0
        else:  # the last order is in the window, the first is not, the middle ones fall between
            frequency = 1 + _binomial(
                rng, orders - 2, (WINDOW_DAYS - recency) / (tenure - recency + 1)
            )
    median, sigma = ORDER_VALUE[entity]
    premium = rng.betavariate(1.0, 3.0)
    base = _lognormal(rng, median * SIZE_FACTOR[row["company_size"]] * (1 + premium), sigma)
    if kind == "repeat":  # frequent buyers fill smaller baskets
        base *= (rate / 4.5) ** -0.35
    recent_avg = max(9.9, base * math.exp(rng.gauss(0, 0.15)))
    older_avg = max(9.9, base * math.exp(rng.gauss(0, 0.2)))
    monetary = round(recent_avg * frequency, 2)
    lifetime = round(monetary + older_avg * (orders - frequency), 2)
    typical = lifetime / orders
    unit_price = _lognormal(rng, 120.0, 0.7) * (1 + premium)
    promo = rng.betavariate(1.2, 2.4)
    row.update(
        orders_count=orders,
        tenure_days=tenure,
        recency_days=recency,
        frequency=frequency,
        monetary=monetary,
        lifetime_monetary=lifetime,
        annual_purchase_volume=monetary,  # the window is the last 12 months
        avg_order_value=round(monetary / frequency, 2) if frequency else round(typical, 2),
        order_size_usd=round(typical / USD_CNY, 2),
        units_per_order=max(1.0, round(typical / unit_price, 1)),
        purchase_interval_days_avg=round((tenure - recency) / (orders - 1), 1)
        if orders > 1
        else None,
        promo_purchase_ratio=_share_of(rng, orders, promo),
        premium_purchase_ratio=round(premium, 2),
        price_index=round(math.exp(rng.gauss(0, 0.15)) * (0.85 + 0.8 * premium - 0.25 * promo), 2),
        brand_share=round(rng.betavariate(1.5 + min(orders, 20) * 0.1, 1.8), 2),
        new_product_trial_ratio=_share_of(rng, orders, rng.betavariate(0.9, 2.8)),
        distinct_products_count=1 + int((orders - 1) * rng.random() ** 1.5),
    )


def _engagement_block(rng: random.Random, row: dict, ctx: dict) -> None:
    """Service, feedback and interaction counts, and the CRM's loyalty / value scores."""
    if ctx["kind"] == "prospect":
        contacted = ctx["contacted"]
        row.update(
            profit=0.0,
            referrals_count=0,
            shares_or_reviews_count=0,
            complaints_count=0,
            value_score=0.0,
        )
        row["feedback_count"] = _geometric(rng, 0.15) if contacted else 0
        row["interactions_count"] = interactions = _poisson(rng, 2.5) if contacted else 0
        if interactions:
            row["last_interaction_days"] = min(364, int(rng.expovariate(1 / 60)))
        row["is_trial_user"] = rng.random() < (0.08 if contacted else 0.01)
        return
    orders, frequency = row["orders_count"], row["frequency"]
    tenure, recency, monetary = row["tenure_days"], row["recency_days"], row["monetary"]
    complaints = _geometric(rng, 0.12 + 0.03 * min(frequency, 20))
    satisfaction = round(_clamp(rng.gauss(4.0 - 0.45 * complaints, 0.7), 1.0, 5.0), 1)
    referrals = _geometric(rng, 0.1 + 0.5 * (satisfaction >= 4.3) + 0.02 * min(orders, 30))
    margin = _clamp(rng.gauss(0.16 + 0.2 * row["premium_purchase_ratio"], 0.07), -0.05, 0.6)
    serve_cost = (25 + 60 * complaints) * (1 if frequency else rng.random())
    profit = round(monetary * margin - serve_cost, 2)
    if rng.random() < 0.2:
        interactions = 0
    else:
        interactions = _poisson(rng, 0.5 + 1.2 * frequency + 2 * rng.random())
    if interactions:
        last_interaction = min(364, int(rng.expovariate(1 / 45)))
    elif tenure >= WINDOW_DAYS and rng.random() < 0.6:
        last_interaction = rng.randint(WINDOW_DAYS, tenure)
    else:
        last_interaction = None
    brand_share = row["brand_share"]
    loyalty = (
        35 * min(tenure / 1095, 1.0)
        + 35 * min(frequency / 12, 1.0)
        + 30 * brand_share
        - (20 if recency > 180 else 0)
        + rng.gauss(0, 8)
    )
    loyalty = round(_clamp(loyalty, 0.0, 100.0), 1)
    long_term = tenure >= WINDOW_DAYS and orders >= 3 and recency <= 180
    person = ctx["person"]
    p_long = 0.75 if long_term else 0.05 if person else 0.2
    value = 100 * (
        0.35 * min(1.0, math.log10(1 + monetary) / 6.5)
        + 0.2 * min(1.0, frequency / 24)
        + 0.2 * (0.5 + 0.5 * math.tanh(profit / 5000))
        + 0.15 * loyalty / 100
        + 0.1 * min(1.0, referrals / 3)
    ) + rng.gauss(0, 3)
    row.update(
        profit=profit,
        referrals_count=referrals,
        shares_or_reviews_count=_geometric(rng, 0.25 + 0.6 * (satisfaction >= 4.0)),
        satisfaction_score=satisfaction,
        complaints_count=complaints,
        feedback_count=complaints + _geometric(rng, 0.6),
        interactions_count=interactions,
        last_interaction_days=last_interaction,
        is_trial_user=rng.random() < (0.18 if tenure <= 90 else 0.02),
        loyalty_score=loyalty,
        relationship_type="long_term" if rng.random() < p_long else "temporary",
        value_score=round(_clamp(value, 0.0, 100.0), 1),
    )


INTEREST = {
    "cold": Choice({"high": 0.03, "medium": 0.1, "low": 0.3, "none": 0.57}),
    "lead": Choice({"high": 0.22, "medium": 0.33, "low": 0.3, "none": 0.15}),
    "buyer": Choice({"high": 0.25, "medium": 0.35, "low": 0.25, "none": 0.15}),
}
CALL_OUTCOME = {
    "high": Choice(
        {"interested": 0.55, "considering": 0.3, "not_now": 0.08, "never": 0.02, "none": 0.05}
    ),
    "medium": Choice(
        {"interested": 0.2, "considering": 0.45, "not_now": 0.2, "never": 0.05, "none": 0.1}
    ),
    "low": Choice(
        {"interested": 0.05, "considering": 0.25, "not_now": 0.35, "never": 0.2, "none": 0.15}
    ),
    "none": Choice(
        {"interested": 0.01, "considering": 0.1, "not_now": 0.3, "never": 0.4, "none": 0.19}
    ),
}
FEEDBACK_INTENT = Choice(
    {"interested": 0.33, "will_contact_when_needed": 0.28, "no_need": 0.24, "none": 0.15}
)
PAGE_VIEWS = {"high": 4.0, "medium": 1.5, "low": 0.3, "none": 0.05}
INQUIRED = {"high": 0.55, "medium": 0.2, "low": 0.05, "none": 0.01}
CLEAR_NEED = {"high": 0.7, "medium": 0.4, "low": 0.15, "none": 0.05}
INTEREST_POTENTIAL = {"high": 10, "medium": 5, "low": -5, "none": -10}


def _funnel_block(rng: random.Random, row: dict, ctx: dict) -> None:
    """Sales funnel: interest, qualification, calls, quotes and e-mail follow-up."""
    kind, contacted, person = ctx["kind"], ctx["contacted"], ctx["person"]
    buyer = kind != "prospect"
    interest = INTEREST["buyer" if buyer else "lead" if contacted else "cold"](rng, row, ctx)
    income = row["annual_income"]
    rich = not person or (income is not None and income >= 150_000)
    can_afford = rng.random() < (0.8 if rich else 0.45)
    has_problem = rng.random() < (0.65 if interest in ("high", "medium") else 0.35)
    inquired = rng.random() < INQUIRED[interest]
    if not contacted:
        calls = 0
    else:
        calls = _geometric(rng, 1.8 if not buyer else 0.9)
    outcome = CALL_OUTCOME[interest](rng, row, ctx) if calls else "none"
    quoted = rng.random() < (0.4 if calls or inquired else 0.03)
    emails = (
        _geometric(rng, (8 if ctx["foreign"] else 3) * (1 if buyer else 1.6)) if contacted else 0
    )
    if contacted and not buyer and calls == 0 and emails == 0:
        emails = 1  # a contacted prospect was reached somehow
    opened = _binomial(rng, emails, rng.betavariate(2, 3))
    replies = _binomial(rng, opened, rng.betavariate(1.5, 3))
    last_open = min(int(rng.expovariate(1 / 90)), 900) if opened else None
    last_reply = last_open + int(rng.expovariate(1 / 40)) if replies else None
    if emails == 0:
        silence = None
    elif opened:
        silence = last_open
    else:
        silence = min(int(rng.expovariate(1 / 250)), 1500)
    expected = None
    if interest in ("high", "medium") and rng.random() < 0.6:
        expected = ctx["as_of"] + dt.timedelta(days=rng.randint(-30, 180))
    potential = (
        rng.gauss(45, 20)
        + (12 if not person else 0)
        + (10 if can_afford else 0)
        + INTEREST_POTENTIAL[interest]
        + (5 if not buyer else 0)
    )
    # a salesperson records behaviour signals only for customers they have talked to or met
    ctx["observed"] = rng.random() < (0.55 if calls or inquired else 0.3 if not person else 0.1)
    entity = row["customer_entity_type"]
    own_use = 0.92 if person else 0.03 if entity in RESELLER_ENTITIES else 0.6
    row.update(
        growth_potential_score=round(_clamp(potential, 0.0, 100.0), 1),
        is_lead=rng.random() < (0.15 if buyer else 0.85 if contacted else 0.35),
        can_afford=can_afford,
        has_clear_need=rng.random() < CLEAR_NEED[interest],
        has_problem_we_can_solve=has_problem,
        aware_of_need=rng.random() < (0.65 if has_problem else 0.15),
        decision_made=rng.random() < (0.3 if buyer else 0.2 if interest == "high" else 0.04),
        interest_level=interest,
        product_page_views=_geometric(rng, PAGE_VIEWS[interest]),
        inquired=inquired,
        expected_purchase_date=expected,
        calls_count=calls,
        call_outcome=outcome,
        quoted=quoted,
        days_since_quote=min(int(rng.expovariate(1 / 25)), 365) if quoted else None,
        responded_after_quote=(rng.random() < 0.55) if quoted else None,
        emails_sent=emails,
        emails_opened=opened,
        replies_count=replies,
        last_open_days=last_open,
        last_reply_days=last_reply,
        days_without_response=silence,
        feedback_intent=FEEDBACK_INTENT(rng, row, ctx) if replies else "none",
        purchased_from_china_before=(rng.random() < 0.5) if ctx["foreign"] else None,
        buys_for_own_use=rng.random() < own_use,
    )


INTENT_STRENGTH = {
    "measured": Choice({"strong": 0.6, "initial": 0.35, "none": 0.05}),
    "high": Choice({"strong": 0.5, "initial": 0.4, "none": 0.1}),
    "medium": Choice({"strong": 0.2, "initial": 0.5, "none": 0.3}),
    "low": Choice({"strong": 0.05, "initial": 0.35, "none": 0.6}),
    "none": Choice({"initial": 0.1, "none": 0.9}),
}


def _decoration_block(rng: random.Random, row: dict, ctx: dict) -> None:
    """Home-decoration funnel (量房 → 设计沟通 → 定金 → 合同): households and individuals only."""
    if not ctx["person"]:
        return
    measured = rng.random() < 0.3
    visits = _geometric(rng, 1.2) if measured else 0
    talks = _geometric(rng, 1.5) if measured else int(rng.random() < 0.15)
    if measured and (visits >= 2 or talks >= 2):
        intent = INTENT_STRENGTH["measured"](rng)
    else:
        intent = INTENT_STRENGTH[row["interest_level"] or "none"](rng)
    rejected = rng.random() < (
        0.8 if row["call_outcome"] == "never" else 0.12 if intent == "none" else 0.02
    )
    design_deposit = measured and rng.random() < 0.3
    deposit = design_deposit or rng.random() < (0.15 if measured else 0.02)
    row.update(
        house_measured=measured,
        visits_after_measurement=visits,
        designer_communications=talks,
        fully_communicated=rng.random() < (0.6 if talks >= 2 else 0.2 if talks == 1 else 0.02),
        intent_strength=intent,
        explicitly_rejected=rejected,
        design_deposit_paid=design_deposit,
        deposit_paid=deposit,
        contract_signed=deposit and rng.random() < 0.45,
    )


CHANNEL_ROLE = {
    "distributor": Choice({"distributor": 0.6, "regional_distributor": 0.4}),
    "wholesaler": Choice({"distributor": 0.3, "regional_distributor": 0.3, "agent": 0.4}),
    "retailer": Choice({"dealer": 0.6, "exclusive_store": 0.4}),
    "other": Choice({"agent": 0.5, "dealer": 0.5}),
}


def _channel_block(rng: random.Random, row: dict, ctx: dict) -> None:
    """Lenovo-style channel / end-user segmentation."""
    entity = row["customer_entity_type"]
    if row["resells_product"]:
        role = CHANNEL_ROLE.get(entity, CHANNEL_ROLE["other"])(rng, row, ctx)
    else:
        role = "none"
    commercial = entity in ("enterprise", "government")
    stage = None
    if commercial:
        orders = row["orders_count"]
        if orders >= 2:
            stage = "order"
        elif orders == 1:
            stage = "one_time" if rng.random() < 0.6 else "order"
        else:
            stage = "opportunity" if row["interest_level"] in ("high", "medium") else "lead"
    named = stage == "order" and rng.random() < 0.2
    row.update(
        channel_role=role,
        commercial_stage=stage,
        named_account=named,
        served_via_channel=role == "none" and rng.random() < (0.35 if commercial else 0.25),
        regional_key_account=stage == "order" and not named and rng.random() < 0.15,
    )


# The bank's limits (config fields): one set for the whole bank, the same defaults as the
# parameters of rulesets/bank_transaction_anomaly.rules, so reading the columns or the ruleset's own
# parameters gives the same flags.
BANK_LIMITS = {
    "single_txn_limit": 50_000.0,
    "max_txn_count_1d": 10,
    "io_count_limit": 30,
    "io_amount_limit": 500_000.0,
    "balance_increase_limit": 200_000.0,
    "card_balance_limit": 50_000.0,
    "card_over_balance_limit": 3,
}
ANOMALY_SHARE = 0.03  # share of account holders beyond each limit


def _beyond(rng: random.Random, usual: float, limit: float, most: float = 3.0) -> float:
    """Usually ``usual``; for ANOMALY_SHARE of the customers somewhere above ``limit``."""
    return limit * rng.uniform(1.01, most) if rng.random() < ANOMALY_SHARE else usual


def _bank_block(rng: random.Random, row: dict, ctx: dict) -> None:
    """Payment / bank-account behaviour against the bank's limits; a few percent break them.
    Customers without a payment account with us have none of these fields."""
    lim = BANK_LIMITS
    row.update(lim)
    big = not ctx["person"]
    if rng.random() >= (0.85 if big else 0.65):
        return
    hist_max = round(lim["single_txn_limit"] * rng.uniform(0.05, 0.9), 2)
    if rng.random() < 0.04:  # above the customer's own record (and sometimes the limit too)
        amount = hist_max * rng.uniform(1.02, 2.5)
    else:
        amount = _beyond(rng, hist_max * min(1.0, _lognormal(rng, 0.12, 0.9)), hist_max)
    day_limit = lim["max_txn_count_1d"]
    per_day = min(day_limit, _poisson(rng, 3 if big else 1.5))
    per_day = int(_beyond(rng, per_day, day_limit + 1, 3))
    run = int(_beyond(rng, rng.randint(0, per_day), day_limit + 1, 2))
    mean = round(_lognormal(rng, 60 if big else 20, 0.6), 1)
    std = round(mean * rng.uniform(0.15, 0.4), 1)
    period = max(0, round(rng.gauss(mean, std)))
    if rng.random() < ANOMALY_SHARE:
        period = math.ceil(mean + std * rng.uniform(3.2, 8))
    io_count = int(
        _beyond(rng, min(_poisson(rng, 8), lim["io_count_limit"]), lim["io_count_limit"] + 1)
    )
    io_amount = _beyond(
        rng,
        lim["io_amount_limit"] * min(0.95, _lognormal(rng, 0.08, 1.0)),
        lim["io_amount_limit"],
        4,
    )
    balance_up = _beyond(
        rng,
        lim["balance_increase_limit"] * min(0.95, _lognormal(rng, 0.05, 1.2)),
        lim["balance_increase_limit"],
        5,
    )
    card_balance = _beyond(
        rng, lim["card_balance_limit"] * rng.uniform(0.0, 0.95), lim["card_balance_limit"], 1.6
    )
    over_limit = lim["card_over_balance_limit"]
    over = int(_beyond(rng, min(_geometric(rng, 0.15), over_limit), over_limit + 1, 2.5))
    approval = rng.gauss(0, 5)
    if rng.random() < ANOMALY_SHARE:
        approval = rng.choice((-1, 1)) * rng.uniform(20, 45)
    growth = _beyond(rng, math.exp(rng.gauss(0, 0.3)), 3.0)
    interval = _lognormal(rng, 1800, 1.3) if rng.random() > ANOMALY_SHARE else rng.uniform(1, 59)
    counterparty = _geometric(rng, 2.5) if rng.random() > 0.05 else rng.randint(10, 60)
    strategy_change = abs(rng.gauss(0, 8)) if rng.random() > 0.04 else rng.uniform(30, 90)
    reports = 0 if rng.random() > 0.04 else rng.choice((1, 1, 2, 3, 5))
    row.update(
        txn_amount=round(max(amount, 1.0), 2),
        hist_max_txn_amount=hist_max,
        txn_count_1d=per_day,
        consecutive_txn_count=run,
        txn_count_period=period,
        hist_same_period_mean=mean,
        hist_same_period_std=std,
        strategy_inconsistent_with_history=rng.random() < 0.03,
        behaviour_without_history=rng.random() < 0.03,
        fund_source_unclear=rng.random() < 0.02,
        abnormal_fund_flow=rng.random() < 0.02,
        failed_or_rejected_payments=_geometric(rng, 0.04),
        cancelled_payments=_geometric(rng, 0.04),
        receipts_not_received=_geometric(rng, 0.02),
        account_reports_count=reports,
        account_io_count_period=io_count,
        balance_increase_amount=float(round(balance_up)),
        account_io_amount_period=float(round(io_amount)),
        account_frozen=rng.random() < 0.01,
        card_cumulative_balance=float(round(card_balance)),
        card_over_balance_consecutive=over,
        card_approval_rate_change=round(approval, 1),
        online_turnover_growth=round(growth, 2),
        min_payment_interval_seconds=(
            round(interval, 1) if interval < 60 else float(round(interval))
        ),
        small_payment_share=round(rng.betavariate(1.5, 6), 2),
        counterparty_txn_count=counterparty,
        counterparty_pattern_deviates=rng.random() < (0.4 if counterparty >= 10 else 0.05),
        risk_level_changed=rng.random() < 0.03,
        strategy_change_pct=round(strategy_change, 1),
    )


AXIS = Choice({1: 0.14, 2: 0.2, 3: 0.32, 4: 0.2, 5: 0.14})
DECISION_SPEED = {
    "high": Choice({"fast": 0.65, "medium": 0.25, "slow": 0.1}),
    "mid": Choice({"fast": 0.25, "medium": 0.5, "slow": 0.25}),
    "low": Choice({"fast": 0.08, "medium": 0.3, "slow": 0.62}),
}


def _persona_block(rng: random.Random, row: dict, ctx: dict) -> None:
    """The two axes of the four-quadrant personality models (assertiveness × sociability)."""
    if not ctx["observed"]:
        return
    assertive = AXIS(rng)
    social = AXIS(rng)
    band = "high" if assertive >= 4 else "low" if assertive <= 2 else "mid"
    row.update(
        decision_speed=DECISION_SPEED[band](rng, row, ctx),
        assertiveness=assertive,
        sociability=social,
        pace="fast" if rng.random() < 0.1 + 0.2 * (assertive - 1) else "slow",
    )


BLOCKS: dict[str, Callable[[random.Random, dict, dict], None]] = {
    "entity": _entity_block,
    "geo": _geo_block,
    "ledger": _ledger_block,
    "engagement": _engagement_block,
    "funnel": _funnel_block,
    "decoration": _decoration_block,
    "channel": _channel_block,
    "bank": _bank_block,
    "persona": _persona_block,
}

# Scopes: a ctx flag set by the blocks; a scoped field is empty in rows where the flag is false.
_SCOPES = ("observed", "buyer")


def _browse_minutes(rng: random.Random, row: dict, ctx: dict) -> float:
    median = 4.0 if row["impulsive_buyer"] else 60.0
    return round(_lognormal(rng, median, 1.2), 1)


def _calls_to_identify(rng: random.Random, row: dict, ctx: dict) -> int | None:
    calls = row["calls_count"]
    if calls is None:
        return None
    return rng.randint(1, min(calls, 5)) if calls else 0


# ---------------------------------------------------------------------------------------------
# The table: every input field of the catalog's vocabulary, in the catalog's order. Left out:
# the population-derived fields (*_percentile, r/f/m_score), which the engine computes.
# ---------------------------------------------------------------------------------------------

B = Block
ENTITY_B, GEO_B, LEDGER_B, ENGAGE_B = B("entity"), B("geo"), B("ledger"), B("engagement")
FUNNEL_B, DECOR_B, CHANNEL_B, BANK_B, PERSONA_B = (
    B("funnel"),
    B("decoration"),
    B("channel"),
    B("bank"),
    B("persona"),
)
KEY = 0.0  # never missing

FIELDS: tuple[Field, ...] = (
    F("customer_id", "string", "data", Custom(lambda rng, row, ctx: ctx["id"]), missing=KEY),
    F("as_of_date", "date", "config", Custom(lambda rng, row, ctx: ctx["as_of"])),
    F(
        "customer_entity_type",
        "enum[individual, household, enterprise, government, wholesaler, retailer, "
        "distributor, internal]",
        "data",
        ENTITY_B,
        missing=KEY,
    ),
    F("resells_product", "bool", "data", ENTITY_B),
    F("embeds_in_own_product", "bool", "data", ENTITY_B),
    F("is_internal", "bool", "data", ENTITY_B),
    F(
        "industry",
        "enum[finance, manufacturing, services, healthcare, retail, government, education, other]",
        "data",
        ENTITY_B,
    ),
    F("country", "string", "data", GEO_B),
    F("home_country", "string", "config", Const(HOME_COUNTRY)),
    F("province", "string", "data", GEO_B),
    F("city", "string", "data", GEO_B),
    F("area_type", "enum[urban, rural]", "data", GEO_B),
    F(
        "region_zone",
        "enum[east, central, west]",
        "derived",
        Derived(
            lambda row: (
                PROVINCE_ZONE.get(row["province"]) if row["country"] == HOME_COUNTRY else None
            )
        ),
    ),
    F("sales_regions", "list[string]", "config", Const(list(SALES_REGIONS))),
    F("company_size", "enum[large, medium, small]", "crm", ENTITY_B),
    F("annual_purchase_volume", "decimal", "data", LEDGER_B),
    F("age", "int", "data", ENTITY_B, missing=0.05),
    F("gender", "enum[female, male, other, unknown]", "data", ENTITY_B),
    F("annual_income", "decimal", "data", ENTITY_B, missing=0.1),
    F(
        "education_background",
        "enum[engineering_science, liberal_arts, other, unknown]",
        "crm",
        ENTITY_B,
    ),
    F("occupation", "string", "crm", ENTITY_B, missing=0.06),
    # the order ledger: complete, because it is computed from the orders themselves
    F("orders_count", "int", "data", LEDGER_B, missing=KEY),
    F("tenure_days", "int", "data", LEDGER_B, missing=KEY),
    F("recency_days", "int", "data", LEDGER_B, missing=KEY),
    F("window_days", "int", "config", LEDGER_B),
    F("frequency", "int", "data", LEDGER_B, missing=KEY),
    F("monetary", "decimal", "data", LEDGER_B, missing=KEY),
    F("lifetime_monetary", "decimal", "data", LEDGER_B, missing=KEY),
    F("avg_order_value", "decimal", "data", LEDGER_B, missing=KEY),
    F("order_size_usd", "decimal", "data", LEDGER_B, missing=KEY),
    F("units_per_order", "decimal", "data", LEDGER_B),
    F("profit", "decimal", "data", ENGAGE_B, missing=KEY),
    F("purchase_interval_days_avg", "decimal", "data", LEDGER_B, missing=KEY),
    F("promo_purchase_ratio", "decimal", "data", LEDGER_B),
    F("premium_purchase_ratio", "decimal", "data", LEDGER_B),
    F("price_index", "decimal", "data", LEDGER_B),
    F("brand_share", "decimal", "data", LEDGER_B, missing=0.12),  # only where panel data exists
    F("new_product_trial_ratio", "decimal", "data", LEDGER_B),
    F("distinct_products_count", "int", "data", LEDGER_B),
    F("referrals_count", "int", "data", ENGAGE_B),
    F("shares_or_reviews_count", "int", "data", ENGAGE_B),
    F("satisfaction_score", "decimal", "data", ENGAGE_B, missing=0.06),
    F("complaints_count", "int", "data", ENGAGE_B),
    F("feedback_count", "int", "data", ENGAGE_B),
    F("interactions_count", "int", "data", ENGAGE_B),
    F("last_interaction_days", "int", "data", ENGAGE_B),
    F("is_trial_user", "bool", "data", ENGAGE_B),
    F("loyalty_score", "decimal", "derived", ENGAGE_B),
    F("relationship_type", "enum[long_term, temporary]", "crm", ENGAGE_B),
    F("value_score", "decimal", "derived", ENGAGE_B),
    F("growth_potential_score", "decimal", "crm", FUNNEL_B),
    F(
        "price_sensitivity",
        "int",
        "crm",
        Rating(by="promo_purchase_ratio", follow=0.7, cuts=(0.15, 0.3, 0.45, 0.6)),
    ),
    F(
        "quality_orientation",
        "int",
        "crm",
        Rating(by="premium_purchase_ratio", follow=0.6, cuts=(0.1, 0.2, 0.35, 0.5)),
    ),
    F("function_orientation", "int", "crm", Rating()),
    F("service_orientation", "int", "crm", Rating()),
    F(
        "brand_loyalty",
        "int",
        "crm",
        Rating(by="brand_share", follow=0.7, cuts=(0.3, 0.5, 0.65, 0.8)),
    ),
    F(
        "brand_knowledge",
        "int",
        "signal",
        Rating(by="tenure_days", follow=0.6, cuts=(30, 180, 365, 1095)),
    ),
    F("is_lead", "bool", "crm", FUNNEL_B),
    F("can_afford", "bool", "crm", FUNNEL_B),
    F("has_clear_need", "bool", "crm", FUNNEL_B),
    F("has_problem_we_can_solve", "bool", "crm", FUNNEL_B),
    F("aware_of_need", "bool", "crm", FUNNEL_B),
    F("decision_made", "bool", "crm", FUNNEL_B),
    F("interest_level", "enum[high, medium, low, none]", "crm", FUNNEL_B),
    F("product_page_views", "int", "data", FUNNEL_B),
    F("inquired", "bool", "data", FUNNEL_B),
    F("expected_purchase_date", "date", "crm", FUNNEL_B),
    F("calls_count", "int", "crm", FUNNEL_B),
    F("call_outcome", "enum[interested, considering, not_now, never, none]", "crm", FUNNEL_B),
    F("quoted", "bool", "crm", FUNNEL_B),
    F("days_since_quote", "int", "crm", FUNNEL_B),
    F("responded_after_quote", "bool", "crm", FUNNEL_B),
    F("emails_sent", "int", "data", FUNNEL_B),
    F("emails_opened", "int", "data", FUNNEL_B),
    F("replies_count", "int", "data", FUNNEL_B),
    F(
        "replied",
        "bool",
        "derived",
        Derived(lambda row: None if row["replies_count"] is None else row["replies_count"] >= 1),
    ),
    F("last_open_days", "int", "data", FUNNEL_B),
    F("last_reply_days", "int", "data", FUNNEL_B),
    F("days_without_response", "int", "data", FUNNEL_B),
    F(
        "feedback_intent",
        "enum[interested, will_contact_when_needed, no_need, none]",
        "crm",
        FUNNEL_B,
    ),
    F("purchased_from_china_before", "bool", "crm", FUNNEL_B),
    F("buys_for_own_use", "bool", "crm", FUNNEL_B),
    F("house_measured", "bool", "crm", DECOR_B),
    F("visits_after_measurement", "int", "crm", DECOR_B),
    F("designer_communications", "int", "crm", DECOR_B),
    F("fully_communicated", "bool", "crm", DECOR_B),
    F("intent_strength", "enum[none, initial, strong]", "crm", DECOR_B),
    F("explicitly_rejected", "bool", "crm", DECOR_B),
    F("design_deposit_paid", "bool", "data", DECOR_B),
    F("deposit_paid", "bool", "data", DECOR_B),
    F("contract_signed", "bool", "data", DECOR_B),
    F(
        "channel_role",
        "enum[distributor, regional_distributor, agent, dealer, exclusive_store, none]",
        "crm",
        CHANNEL_B,
    ),
    F("commercial_stage", "enum[order, opportunity, lead, one_time]", "crm", CHANNEL_B),
    F("named_account", "bool", "crm", CHANNEL_B),
    F("served_via_channel", "bool", "crm", CHANNEL_B),
    F("regional_key_account", "bool", "crm", CHANNEL_B),
    F("txn_amount", "decimal", "data", BANK_B),
    F("single_txn_limit", "decimal", "config", BANK_B),
    F("hist_max_txn_amount", "decimal", "data", BANK_B),
    F("txn_count_1d", "int", "data", BANK_B),
    F("max_txn_count_1d", "int", "config", BANK_B),
    F("consecutive_txn_count", "int", "data", BANK_B),
    F("txn_count_period", "int", "data", BANK_B),
    F("hist_same_period_mean", "decimal", "data", BANK_B),
    F("hist_same_period_std", "decimal", "data", BANK_B),
    F("strategy_inconsistent_with_history", "bool", "data", BANK_B),
    F("behaviour_without_history", "bool", "data", BANK_B),
    F("fund_source_unclear", "bool", "data", BANK_B),
    F("abnormal_fund_flow", "bool", "data", BANK_B),
    F("failed_or_rejected_payments", "int", "data", BANK_B),
    F("cancelled_payments", "int", "data", BANK_B),
    F("receipts_not_received", "int", "data", BANK_B),
    F("account_reports_count", "int", "data", BANK_B),
    F("account_io_count_period", "int", "data", BANK_B),
    F("balance_increase_amount", "decimal", "data", BANK_B),
    F("account_io_amount_period", "decimal", "data", BANK_B),
    F("account_frozen", "bool", "data", BANK_B),
    F("card_cumulative_balance", "decimal", "data", BANK_B),
    F("card_over_balance_consecutive", "int", "data", BANK_B),
    F("card_approval_rate_change", "decimal", "data", BANK_B),
    F("online_turnover_growth", "decimal", "data", BANK_B),
    F("min_payment_interval_seconds", "decimal", "data", BANK_B),
    F("small_payment_share", "decimal", "data", BANK_B),
    F("counterparty_txn_count", "int", "data", BANK_B),
    F("counterparty_pattern_deviates", "bool", "data", BANK_B),
    F("risk_level_changed", "bool", "data", BANK_B),
    F("strategy_change_pct", "decimal", "data", BANK_B),
    # signals a salesperson records after meeting the customer
    F("decision_speed", "enum[fast, medium, slow]", "signal", PERSONA_B),
    F("assertiveness", "int", "signal", PERSONA_B),
    F("sociability", "int", "signal", PERSONA_B),
    F("pace", "enum[fast, slow]", "signal", PERSONA_B),
    F("talkativeness", "int", "signal", Rating(by="sociability", follow=0.7)),
    F("off_topic_talk", "bool", "signal", Flag(0.15, by="sociability", lift=0.15)),
    F("goes_straight_to_point", "bool", "signal", Flag(0.25, by="assertiveness", lift=0.2)),
    F("asks_many_detail_questions", "bool", "signal", Flag(0.22, by="sociability", lift=-0.1)),
    F("wants_data_and_standards", "bool", "signal", Flag(0.2, by="sociability", lift=-0.12)),
    F(
        "checks_knowledge_of_salesperson",
        "bool",
        "signal",
        Flag(0.15, by="assertiveness", lift=-0.05),
    ),
    F("challenges_salesperson", "bool", "signal", Flag(0.12, by="assertiveness", lift=0.1)),
    F("relationship_first", "bool", "signal", Flag(0.2, by="sociability", lift=0.1)),
    F("easy_going_calm", "bool", "signal", Flag(0.3, by="assertiveness", lift=-0.15)),
    F("tells_jokes_fast_rapport", "bool", "signal", Flag(0.2, by="sociability", lift=0.18)),
    F(
        "dress_style",
        "enum[bold_branded, neat_quality, fashionable_casual, other]",
        "signal",
        Choice(
            {"bold_branded": 0.18, "neat_quality": 0.3, "fashionable_casual": 0.25, "other": 0.27}
        ),
    ),
    F("workplace_orderly", "bool", "signal", Flag(0.4)),
    F("prefers_group_activities", "bool", "signal", Flag(0.35, by="sociability", lift=0.2)),
    F(
        "work_style",
        "enum[efficiency_task_oriented, research_oriented, friendly_open, other]",
        "signal",
        Choice(
            {
                "efficiency_task_oriented": 0.3,
                "research_oriented": 0.2,
                "friendly_open": 0.3,
                "other": 0.2,
            }
        ),
    ),
    F("voice_fast_loud_flat", "bool", "signal", Flag(0.05, by="pace=fast", lift=0.25)),
    F("arrogant", "bool", "signal", Flag(0.12)),
    F("stubborn", "bool", "signal", Flag(0.1, by="arrogant", lift=0.4)),
    F("distrusts_salesperson", "bool", "signal", Flag(0.12)),
    F("argues_nitpicks", "bool", "signal", Flag(0.1, by="arrogant", lift=0.2)),
    F("hostile_complaining", "bool", "signal", Flag(0.06)),
    F("quick_temper", "bool", "signal", Flag(0.08, by="assertiveness", lift=0.06)),
    F("silent_during_pitch", "bool", "signal", Flag(0.15, by="talkativeness", lift=-0.12)),
    F("gives_excuses", "bool", "signal", Flag(0.2)),
    F("cites_competitors", "bool", "signal", Flag(0.2)),
    F("extra_demands_count", "int", "signal", Count(0.5, by="arrogant", lift=2.0)),
    F("cites_past", "bool", "signal", Flag(0.15)),
    F("receptive_to_new_ideas", "bool", "signal", Flag(0.4)),
    F("risk_taking", "bool", "signal", Flag(0.15, by="receptive_to_new_ideas", lift=0.25)),
    F("guarded", "bool", "signal", Flag(0.4, by="receptive_to_new_ideas", lift=-0.2)),
    F("punctual", "bool", "signal", Flag(0.7)),
    F("high_social_status", "bool", "signal", Flag(0.1)),
    F("large_funds", "bool", "crm", Flag(0.06, by="high_social_status", lift=0.4)),
    F("rational_decider", "bool", "signal", Flag(0.35)),
    F("impulsive_buyer", "bool", "signal", Flag(0.12, by="pace=fast", lift=0.08)),
    F("emotional_buyer", "bool", "signal", Flag(0.15)),
    F("habitual_buyer", "bool", "signal", Flag(0.2, by="brand_loyalty", lift=0.12)),
    F("bargain_hunter", "bool", "signal", Flag(0.2, by="price_sensitivity", lift=0.15)),
    F("status_buyer", "bool", "signal", Flag(0.08)),
    F("need_driven_buyer", "bool", "signal", Flag(0.3)),
    F("boasts_about_self", "bool", "signal", Flag(0.1, by="sociability", lift=0.05)),
    F("straightforward_generous", "bool", "signal", Flag(0.15, by="assertiveness", lift=0.1)),
    F("unreasonable_after_sale", "bool", "signal", Flag(0.04)),
    F("pre_existing_friendship", "bool", "crm", Flag(0.1)),
    F("seeks_personal_benefit", "bool", "signal", Flag(0.06)),
    F("frugal_resists_high_price", "bool", "signal", Flag(0.12, by="price_sensitivity", lift=0.1)),
    F("cautious_listener_asks", "bool", "signal", Flag(0.15, by="assertiveness", lift=-0.1)),
    F("worldly_unresponsive", "bool", "signal", Flag(0.08)),
    F("indecisive", "bool", "signal", Flag(0.1, by="assertiveness", lift=-0.1)),
    F("brought_opinionated_companion", "bool", "signal", Flag(0.08)),
    F("asks_companion_opinion", "bool", "signal", Flag(0.12)),
    F("watches_advisor_closely", "bool", "signal", Flag(0.1)),
    F("asks_on_time_payment", "bool", "signal", Flag(0.12)),
    F("asks_service_details", "bool", "signal", Flag(0.25)),
    F("asks_extra_rewards", "bool", "signal", Flag(0.12)),
    F("keeps_reading_materials", "bool", "signal", Flag(0.15)),
    F("compares_products", "bool", "signal", Flag(0.3, by="rational_decider", lift=0.2)),
    F(
        "entry_behaviour",
        "enum[sits_silently_reads_materials, phones_and_brags_on_entry, "
        "humbly_states_requirements, walks_around_viewing_wall_designs, asks_for_best_designer, other]",
        "signal",
        Choice(
            {
                "sits_silently_reads_materials": 0.13,
                "phones_and_brags_on_entry": 0.1,
                "humbly_states_requirements": 0.15,
                "walks_around_viewing_wall_designs": 0.14,
                "asks_for_best_designer": 0.1,
                "other": 0.38,
            }
        ),
    ),
    F("calls_to_identify", "int", "crm", Custom(_calls_to_identify)),
    F("browse_to_buy_minutes", "decimal", "data", Custom(_browse_minutes), scope="buyer"),
    F(
        "compared_options_count",
        "int",
        "data",
        Count(1.5, by="rational_decider", lift=1.0),
        scope="buyer",
    ),
    F(
        "celebrity_or_endorsement_driven",
        "bool",
        "data",
        Flag(0.05, by="emotional_buyer", lift=0.3),
        scope="buyer",
    ),
    F("io_count_limit", "int", "config", BANK_B),
    F("io_amount_limit", "decimal", "config", BANK_B),
    F("balance_increase_limit", "decimal", "config", BANK_B),
    F("card_balance_limit", "decimal", "config", BANK_B),
    F("card_over_balance_limit", "int", "config", BANK_B),
)
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
FIELD_TYPES: dict[str, str] = {f.name: f.type for f in FIELDS}


def _check_table() -> None:
    """Fail at import if a spec leans on a field that is not filled before it."""
    filled: set[str] = set()
    blocks_run: set[str] = set()
    block_fields: dict[str, set[str]] = {}
    for f in FIELDS:
        if isinstance(f.gen, Block):
            block_fields.setdefault(f.gen.name, set()).add(f.name)
    for f in FIELDS:
        if isinstance(f.gen, Block) and f.gen.name not in blocks_run:
            blocks_run.add(f.gen.name)
            filled |= block_fields[f.gen.name]
        by = getattr(f.gen, "by", None)
        if by is not None and by.split("=")[0] not in filled:
            raise AssertionError(f"{f.name} leans on {by}, which is not filled before it")
        filled.add(f.name)
    assert len(set(FIELD_NAMES)) == len(FIELD_NAMES), "duplicate field"
    assert set(BLOCKS) == set(block_fields), "block without fields, or fields without a block"
    assert all(f.scope in (None, *_SCOPES) for f in FIELDS), "unknown scope"


_check_table()


# ---------------------------------------------------------------------------------------------
# Customers
# ---------------------------------------------------------------------------------------------


def _as_date(value: dt.date | str | None) -> dt.date:
    if value is None:
        return DEFAULT_AS_OF
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _plan() -> tuple[tuple, ...]:
    """The generation steps in table order: each block once, at its first field, then the specs."""
    steps, seen = [], set()
    for f in FIELDS:
        if isinstance(f.gen, Block):
            if f.gen.name not in seen:
                seen.add(f.gen.name)
                steps.append((None, BLOCKS[f.gen.name], None))
        elif not isinstance(f.gen, Derived):
            steps.append((f.name, f.gen, f.scope))
    return tuple(steps)


def _missing_groups() -> tuple[tuple[float, tuple[str, ...]], ...]:
    groups: dict[float, list[str]] = {}
    for f in FIELDS:
        if f.missing > 0:
            groups.setdefault(f.missing, []).append(f.name)
    return tuple((share, tuple(names)) for share, names in groups.items())


_STEPS = _plan()
_DERIVED = tuple((f.name, f.gen.fn) for f in FIELDS if isinstance(f.gen, Derived))
_MISSING = _missing_groups()
_EMPTY_ROW = dict.fromkeys(FIELD_NAMES)


def iter_customers(
    seed: int = DEFAULT_SEED, as_of: dt.date | str | None = DEFAULT_AS_OF
) -> Iterator[dict]:
    """Customers one by one, without end: take as many as you need (the stream is prefix-stable)."""
    rng = random.Random(f"customers:{seed}")
    as_of = _as_date(as_of)
    number = 0
    log = math.log
    while True:
        number += 1
        row = _EMPTY_ROW.copy()
        ctx = {"id": f"C{number:06d}", "as_of": as_of}
        for name, gen, scope in _STEPS:
            if name is None:
                gen(rng, row, ctx)  # a block fills its fields itself
            elif scope is None or ctx[scope]:
                row[name] = gen(rng, row, ctx)
        # blank a share of each field: jump from one blanked field to the next (geometric gaps)
        for share, names in _MISSING:
            i, step = -1, log(1.0 - share)
            while True:
                i += 1 + int(log(1.0 - rng.random()) / step)
                if i >= len(names):
                    break
                row[names[i]] = None
        for name, fn in _DERIVED:
            row[name] = fn(row)
        yield row


def generate_customers(
    n: int, seed: int = DEFAULT_SEED, as_of: dt.date | str | None = DEFAULT_AS_OF
) -> list[dict]:
    """``n`` customers as dicts keyed by the vocabulary's field names (see ``FIELD_NAMES``)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    return list(islice(iter_customers(seed, as_of), n))


# ---------------------------------------------------------------------------------------------
# Transactions: the order ledger behind orders_count, tenure, recency, frequency and spend
# ---------------------------------------------------------------------------------------------


def _int(value) -> int | None:
    if value is None or value == "":
        return None
    return int(float(value))


def _cents(value) -> int:
    return 0 if value is None or value == "" else round(float(value) * 100)


def _split_cents(rng: random.Random, total: int, parts: int) -> list[int]:
    """Split ``total`` cents into ``parts`` positive amounts with some spread."""
    if parts == 0:
        return []
    weights = [rng.lognormvariate(0.0, 0.35) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    amounts = [1 + int(w * scale) for w in weights]
    amounts[rng.randrange(parts)] += total - sum(amounts)
    return amounts


class _Ledger:
    """Lays out each customer's orders; keeps the running order number across customers."""

    def __init__(self, seed: int, as_of: dt.date | str | None):
        self.rng = random.Random(f"transactions:{seed}")
        self.as_of = None if as_of is None else _as_date(as_of)
        self.next_order = 1

    def orders(self, customer: dict) -> list[dict]:
        orders = _int(customer.get("orders_count")) or 0
        tenure = _int(customer.get("tenure_days"))
        recency = _int(customer.get("recency_days"))
        if orders <= 0 or tenure is None or recency is None:
            return []
        rng = self.rng
        window = _int(customer.get("window_days")) or WINDOW_DAYS
        frequency = _int(customer.get("frequency")) or 0
        as_of = self.as_of or _as_date(customer.get("as_of_date"))
        if orders == 1:
            days = [tenure]
        else:
            middle = orders - 2
            in_window = frequency - (recency < window) - (tenure < window)
            in_window = max(0, min(middle, in_window))
            days = [tenure, recency]
            days += [rng.randint(recency, min(window - 1, tenure)) for _ in range(in_window)]
            days += [rng.randint(max(window, recency), tenure) for _ in range(middle - in_window)]
        recent = [d for d in days if d < window]
        older = [d for d in days if d >= window]
        recent_cents = _cents(customer.get("monetary"))
        older_cents = _cents(customer.get("lifetime_monetary")) - recent_cents
        amounts = _split_cents(rng, recent_cents, len(recent)) + _split_cents(
            rng, older_cents, len(older)
        )
        placed = sorted(zip(recent + older, amounts, strict=True), key=lambda pair: -pair[0])
        customer_id = customer["customer_id"]
        result = []
        for days_ago, cents in placed:
            result.append(
                {
                    "customer_id": customer_id,
                    "order_id": f"O{self.next_order:08d}",
                    "order_date": as_of - dt.timedelta(days=days_ago),
                    "amount": cents / 100,
                }
            )
            self.next_order += 1
        return result


def iter_transactions(
    customers: Iterable[dict], seed: int = DEFAULT_SEED, as_of: dt.date | str | None = None
) -> Iterator[dict]:
    """Orders of each customer in turn (oldest first); ``as_of`` defaults to each row's as_of_date."""
    ledger = _Ledger(seed, as_of)
    for customer in customers:
        yield from ledger.orders(customer)


def generate_transactions(
    customers: Iterable[dict], seed: int = DEFAULT_SEED, as_of: dt.date | str | None = None
) -> list[dict]:
    """One dict per order: customer_id, order_id, order_date (a date), amount (2 decimals).

    The orders reproduce each customer's first purchase (tenure_days), last purchase
    (recency_days), orders_count, in-window frequency and the cents of monetary and
    lifetime_monetary. Customers who never bought have no orders.
    """
    return list(iter_transactions(customers, seed, as_of))


# ---------------------------------------------------------------------------------------------
# Writing: csv, jsonl, parquet, xlsx
# ---------------------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """How a value is written to CSV: empty for missing, true/false, ISO dates, JSON lists."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text  # 500000.0 -> 500000
    if isinstance(value, list | tuple):
        return json.dumps(list(value), ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _json_default(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _arrow_type(type_: str):
    import pyarrow as pa

    if type_ == "int":
        return pa.int64()
    if type_ == "decimal":
        return pa.float64()
    if type_ == "bool":
        return pa.bool_()
    if type_ == "date":
        return pa.date32()
    if type_.startswith("list["):
        return pa.list_(pa.string())
    return pa.string()


class _Writer:
    """Writes batches of rows to one file; the format follows the extension."""

    FORMATS = (".csv", ".jsonl", ".parquet", ".xlsx")

    def __init__(self, path: str | Path, columns: list[tuple[str, str]], headers: dict[str, str]):
        self.path = Path(path)
        self.suffix = self.path.suffix.lower()
        if self.suffix not in self.FORMATS:
            raise ValueError(
                f"{self.path}: unknown file type; use one of {', '.join(self.FORMATS)}"
            )
        self.names = [name for name, _ in columns]
        self.header = [headers.get(name, name) for name in self.names]
        self.rows = 0
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True)
        if self.suffix == ".csv":
            self.file = self.path.open("w", encoding="utf-8", newline="")
            self.csv = csv.writer(self.file, lineterminator="\n")
            self.csv.writerow(self.header)
        elif self.suffix == ".jsonl":
            self.file = self.path.open("w", encoding="utf-8")
        elif self.suffix == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            self.schema = pa.schema(
                [(h, _arrow_type(t)) for h, (_, t) in zip(self.header, columns, strict=True)]
            )
            self.parquet = pq.ParquetWriter(self.path, self.schema)
        else:
            from openpyxl import Workbook

            self.book = Workbook(write_only=True)
            self.sheet = self.book.create_sheet("data")
            self.sheet.append(self.header)

    def write(self, rows: list[dict]) -> None:
        names = self.names
        self.rows += len(rows)
        if self.suffix == ".csv":
            self.csv.writerows([[cell_text(row[n]) for n in names] for row in rows])
        elif self.suffix == ".jsonl":
            for row in rows:
                record = {h: row[n] for h, n in zip(self.header, names, strict=True)}
                self.file.write(
                    json.dumps(record, ensure_ascii=False, default=_json_default) + "\n"
                )
        elif self.suffix == ".parquet":
            import pyarrow as pa

            arrays = [
                pa.array([row[n] for row in rows], type=field.type)
                for n, field in zip(names, self.schema, strict=True)
            ]
            self.parquet.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        else:
            if self.rows > XLSX_MAX_ROWS:
                raise ValueError(
                    f"{self.path}: Excel holds at most {XLSX_MAX_ROWS:,} rows; use .parquet or .csv"
                )
            for row in rows:
                self.sheet.append([_xlsx_value(row[n]) for n in names])

    def close(self) -> None:
        if self.suffix in (".csv", ".jsonl"):
            self.file.close()
        elif self.suffix == ".parquet":
            self.parquet.close()
        else:
            self.book.save(self.path)

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _xlsx_value(value: object) -> object:
    if isinstance(value, list):
        return cell_text(value)
    return value


def _columns(table: str) -> list[tuple[str, str]]:
    if table == "customers":
        return [(f.name, f.type) for f in FIELDS]
    if table == "transactions":
        return list(TRANSACTION_FIELDS)
    raise ValueError(f"unknown table {table!r}")


def write_rows(
    path: str | Path, rows: Iterable[dict], table: str = "customers", chinese_headers: bool = False
) -> int:
    """Write customers (or ``table="transactions"``) to ``path``; returns the number of rows."""
    headers = {}
    if chinese_headers:
        headers = CHINESE_HEADERS if table == "customers" else TRANSACTION_CHINESE_HEADERS
    iterator = iter(rows)
    with _Writer(path, _columns(table), headers) as writer:
        while batch := list(islice(iterator, BATCH_ROWS)):
            writer.write(batch)
    return writer.rows


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="generate_customers.py",
        description="Generate a seeded synthetic customer table (csv, jsonl, parquet or xlsx by extension).",
    )
    parser.add_argument(
        "--rows", type=int, default=1000, metavar="N", help="number of customers (default 1000)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="S",
        help=f"random seed (default {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--out", metavar="FILE", help="customer file: .csv, .jsonl, .parquet or .xlsx"
    )
    parser.add_argument(
        "--transactions", metavar="FILE", help="also write one row per order to FILE"
    )
    parser.add_argument(
        "--chinese-headers",
        action="store_true",
        help="Chinese column headers for the core columns (客户编号, 最近购买天数, …)",
    )
    parser.add_argument(
        "--as-of",
        default=DEFAULT_AS_OF.isoformat(),
        metavar="DATE",
        help=f"evaluation date the *_days fields count back from (default {DEFAULT_AS_OF})",
    )
    args = parser.parse_args(argv)
    if not args.out and not args.transactions:
        parser.error("give --out FILE and/or --transactions FILE")
    if args.rows < 0:
        parser.error("--rows must be >= 0")
    try:
        as_of = _as_date(args.as_of)
    except ValueError:
        parser.error(f"--as-of: not an ISO date: {args.as_of!r}")

    customers = islice(iter_customers(args.seed, as_of), args.rows)
    ledger = _Ledger(args.seed, as_of)
    zh = args.chinese_headers
    out = tx = None
    try:
        if args.out:
            out = _Writer(args.out, _columns("customers"), CHINESE_HEADERS if zh else {})
        if args.transactions:
            tx = _Writer(
                args.transactions,
                _columns("transactions"),
                TRANSACTION_CHINESE_HEADERS if zh else {},
            )
        while batch := list(islice(customers, BATCH_ROWS)):
            if out:
                out.write(batch)
            if tx:
                tx.write([order for customer in batch for order in ledger.orders(customer)])
    except (OSError, ValueError) as error:
        print(f"generate_customers: {error}", file=sys.stderr)
        return 1
    finally:
        for writer in (out, tx):
            if writer:
                writer.close()
    for writer, what in ((out, "customers"), (tx, "orders")):
        if writer:
            print(f"wrote {writer.rows:,} {what} to {writer.path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
