"""Publishes a revised filing and stops, for good, just before the transaction commits.

`python -m sec_analyzer_tests.storage.publish_worker DATABASE_URL MARKER_FILE`: once every row
is written and only COMMIT remains, it writes the number of risk factors its transaction sees
into MARKER_FILE and sleeps, so that the test can SIGKILL it at exactly that point.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from sec_analyzer.storage.db_clients import create_db_engine
from sec_analyzer.storage.results_repo import ResultsRepository
from sec_analyzer_tests.storage import samples

REVISED_RISK_FACTOR_COUNT = 2


def main(url: str, marker: Path) -> None:
    engine = create_db_engine(url)

    def hang_before_commit(connection: Any) -> None:
        # What this transaction sees of its own writes, so the test knows they were made.
        written = connection.exec_driver_sql("SELECT count(*) FROM risk_factors").scalar()
        partial = marker.with_name(marker.name + ".partial")
        partial.write_text(str(written))
        partial.replace(marker)  # the test never sees a half-written marker
        time.sleep(600)

    event.listen(engine, "commit", hang_before_commit)
    ResultsRepository(engine).publish_filing(
        samples.filing(), samples.items()[:1], samples.risk_factors(REVISED_RISK_FACTOR_COUNT)
    )


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
