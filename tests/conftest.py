"""Shared test set-up: loads the fixture plugins under ``tests/fixtures/``.

Fixtures (see each module's docstring):

- ``tansu_broker``, ``kafka_broker`` (session) and ``broker`` (parametrised over both,
  ids ``tansu``/``kafka``): objects with ``.name`` and ``.bootstrap`` ("127.0.0.1:PORT").
- ``pg_server`` (session) and ``database_url`` (per test, ids ``sqlite``/``postgresql``).
- ``smtp_server``: aiosmtpd sink with ``.messages``, ``.wait_for(n)``, ``.mailto_url()``,
  ``.fail_next(n)``.
- ``feed_server``: HTTP server with ``.add(path, body)``, ``.url(path)``, ``.requests``.
- ``clean_armswatch_environ`` (autouse): no ``ARMSWATCH_*`` variables inside a test.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

pytest_plugins = [
    "tests.fixtures.environ",
    "tests.fixtures.tansu",
    "tests.fixtures.kafka",
    "tests.fixtures.brokers",
    "tests.fixtures.postgres",
    "tests.fixtures.smtp",
    "tests.fixtures.feeds",
    "tests.fixtures.report",
]
