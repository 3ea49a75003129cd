"""The Spark session a rulekit query runs in: its settings checked, or a local one made.

A Spark query means what rulekit means only under some session settings. `check_session`
verifies them and names the setting to change when one would change a label:

* `spark.sql.ansi.enabled` true: with it off an integer overflow wraps around silently;
* `spark.sql.parser.escapedStringLiterals` false: with it on every text literal reads
  differently (every label would be NULL);
* `spark.sql.session.timeZone` UTC: text is read as a timestamp and a timestamp's date taken
  in the session's time zone; rulekit's timestamps carry none (they are read as UTC);
* `spark.sql.legacy.allowNegativeScaleOfDecimal` and `spark.sql.caseSensitive` false.

`local_session` makes the small local session the command line and the tests use.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

from rulekit.errors import RulekitError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# setting -> (the value rulekit needs, what goes wrong otherwise)
REQUIRED = {
    "spark.sql.ansi.enabled": ("true", "an integer overflow would give a wrong label silently"),
    "spark.sql.parser.escapedStringLiterals": ("false", "text constants would read differently"),
    "spark.sql.session.timeZone": ("UTC", "timestamps would be read in another time zone"),
    "spark.sql.legacy.allowNegativeScaleOfDecimal": ("false", "decimals would round"),
    "spark.sql.caseSensitive": ("false", "column names would be matched differently"),
}
_EQUIVALENT_UTC = {"UTC", "ETC/UTC", "Z", "+00:00", "GMT", "ETC/GMT"}


class SparkError(RulekitError):
    """Spark is missing, misconfigured, or could not run a query; the message says which."""


def require_pyspark() -> Any:
    """The pyspark module, or a clear error naming the extra to install."""
    try:
        import pyspark
    except ImportError:
        raise SparkError(
            "the Spark engine needs pyspark\n"
            '  hint: pip install "rulekit-engine[spark]" (and Java 17 or 21)'
        ) from None
    return pyspark


def java_available() -> bool:
    """Whether a Java runtime is on the PATH (or JAVA_HOME is set)."""
    import os

    return bool(os.environ.get("JAVA_HOME")) or shutil.which("java") is not None


def check_session(spark: SparkSession) -> None:
    """Raise SparkError naming every session setting that would change a label."""
    wrong = []
    for key, (want, why) in REQUIRED.items():
        got = spark.conf.get(key, None)
        if got is None:
            continue  # the default, which is what rulekit needs
        ok = got.upper() in _EQUIVALENT_UTC if key.endswith("timeZone") else got.lower() == want
        if not ok:
            wrong.append(f"  {key} is {got!r}: {why}\n    fix: spark.conf.set({key!r}, {want!r})")
    if wrong:
        raise SparkError(
            "this Spark session's settings would change rulekit's labels:\n" + "\n".join(wrong)
        )


def local_session(
    master: str | None = None, remote: str | None = None, app: str = "rulekit"
) -> SparkSession:
    """A session with rulekit's settings: local[*] by default, a cluster by master URL, or a
    Spark Connect server by remote (sc://host:port)."""
    require_pyspark()
    from pyspark.sql import SparkSession

    if remote is None and not java_available():
        raise SparkError(
            "the Spark engine needs Java 17 or 21 and none was found\n"
            "  hint: install a JRE (apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
        )
    builder: Any = SparkSession.builder.appName(app)
    if remote is not None:
        builder = builder.remote(remote)
    else:
        builder = builder.master(master or "local[*]").config("spark.ui.enabled", "false")
    for key, (want, _) in REQUIRED.items():
        builder = builder.config(key, want)
    session: SparkSession = builder.getOrCreate()
    return session
