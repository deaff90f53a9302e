"""A partition key is a file name downstream: a hostile one, added to the instance as the UI or
GraphQL would, never writes a file and is reported with a message naming it; the run goes on for
any other filing of the batch."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from sec_analyzer.defs.backfill import filing_pipeline_job
from sec_analyzer.defs.partitions import FILINGS

HOSTILE_KEY = "../../../x"


def test_a_key_that_climbs_out_of_the_artifacts_folder_is_refused(instance: dg.DagsterInstance,
                                                                  platform_env: Path) -> None:
    instance.add_dynamic_partitions(FILINGS, [HOSTILE_KEY])
    before = {path for path in platform_env.parent.rglob("*") if path.is_file()}

    result = dg.execute_job(
        dg.reconstructable(filing_pipeline_job), instance=instance, raise_on_error=False,
        tags={"dagster/partition": HOSTILE_KEY}, asset_selection=[dg.AssetKey("raw_filing")],
    )

    created = {path for path in platform_env.parent.rglob("*") if path.is_file()} - before
    assert [path for path in created if path.stem == "x" or path.is_relative_to(platform_env / "artifacts")] == []
    assert not (platform_env.parent / "x.json").exists()
    messages = " ".join(str(event.message) for event in instance.all_logs(result.run_id))
    assert "not a filing key" in messages and repr(HOSTILE_KEY) in messages
