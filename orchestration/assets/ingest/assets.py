"""One asset per source: the year's extract into raw.<source> (delete-then-insert per year)."""


import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from orchestration.errors import UserError
from orchestration.escaping import named
from orchestration.partitions import yearly_partitions
from orchestration.progress import report
from orchestration.ra import records as ra_records
from orchestration.resources import WAREHOUSE_POOL, KsmPaths
from orchestration.sources import YEARLY_SOURCES, SourceSpec

from .extract_files import ExtractRejected, gc_paused
from .load import load_extract
from .regions import classification_file, load_regions
from .reuse import load_delivered, loaded_at_text, reload_requested


@dg.asset(
    key=["raw", "regions"],
    group_name="ingest",
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
    description="CBS 'Gebieden in Nederland' for every classification year in the inbox, the merger "
                "list, and the code map from each classification year to each later one.",
)
def raw_regions(context: dg.AssetExecutionContext, ksm: KsmPaths, warehouse: DuckDBResource):
    paths = ksm.paths
    # the year being built needs its own classification (unpartitioned asset: the run's tag says)
    year = context.run.tags.get("dagster/partition")
    try:
        if year:
            classification_file(paths.inbox / "regions", int(year))
        with warehouse.get_connection() as con:
            loaded = load_regions(con, paths.inbox / "regions")
    except ExtractRejected as exc:
        raise dg.Failure(description=f"regions extract rejected: {exc}") from exc
    report(context, f"regions: classifications {loaded.years[0]}-{loaded.years[-1]}, "
                    f"{loaded.mergers} merger rows, {loaded.map_rows:,} code-map rows")
    return dg.MaterializeResult(metadata={
        "classification_years": dg.MetadataValue.json(loaded.years),
        "gemeenten_per_year": dg.MetadataValue.json({str(k): v for k, v in loaded.gemeenten_per_year.items()}),
        "mergers": loaded.mergers,
        "code_map_rows": loaded.map_rows,
        "input_checksums": dg.MetadataValue.json(loaded.checksums),
    })


@dg.asset(
    key=["raw", "ra_records"],
    group_name="ingest",
    kinds={"duckdb", "dbt"},
    partitions_def=yearly_partitions,
    pool=WAREHOUSE_POOL,
    deps=[raw_regions],  # births are placed in the classifications the regions hold
    description="RA layout only (the home has an ra_layout.toml): the year's CBS Remote Access tables "
                "read into raw_ra, and the year's records of the record-level sources derived from "
                "them (dbt models tagged ra_layout). In the extract layout there is nothing to do.",
)
def raw_ra_records(context: dg.AssetExecutionContext, ksm: KsmPaths, warehouse: DuckDBResource,
                   dbt: DbtCliResource):
    paths = ksm.paths
    year = int(context.partition_key)
    if not ra_records.uses_ra_layout(paths):
        return dg.MaterializeResult(metadata={"layout": "extract"})
    try:
        with warehouse.get_connection() as con:
            tables = ra_records.refresh_raw_ra(con, ra_records.home_layout(paths), year,
                                                say=lambda line: report(context, line))
        ra_records.build_records(dbt, paths, year, context.run.run_id, say=lambda line: report(context, line))
        with warehouse.get_connection() as con:
            placed = ra_records.placement_counts(con)
    except UserError as exc:
        raise dg.Failure(description=f"RA layout {year}: {exc}") from exc
    report(context, ra_records.placement_line(year, placed))
    return dg.MaterializeResult(metadata={
        "layout": "cbs-ra",
        "tables": dg.MetadataValue.json({t.table: {"rows": t.rows, "file": t.path.name, "read_now": t.fresh}
                                         for t in tables}),
        "births_placed": dg.MetadataValue.json(placed),
    })


def build_ingest_asset(spec: SourceSpec) -> dg.AssetsDefinition:
    derived = spec.name in ra_records.DERIVED_SOURCES

    @dg.asset(
        name=spec.name,
        key_prefix=["raw"],
        group_name="ingest",
        kinds={"duckdb"},
        partitions_def=yearly_partitions,
        pool=WAREHOUSE_POOL,
        # gemeente codes are checked against the year's classification; in the RA layout the
        # records come from raw_ra_records
        deps=[raw_regions] + ([raw_ra_records] if derived else []),
        description=f"{spec.description} Loaded from inbox/{spec.name}/<year>/"
                    + (" (in the RA layout: derived from the RA tables)." if derived else ".")
                    + " A file whose load would come out the same is kept as loaded (metadata loaded_now: "
                      "false); the run tag ksm/reload=true reads it again.",
    )
    def _ingest(context: dg.AssetExecutionContext, ksm: KsmPaths, warehouse: DuckDBResource):
        year = int(context.partition_key)
        paths = ksm.paths
        try:
            quarantine = paths.quarantine / spec.name / str(year)
            with warehouse.get_connection() as con, gc_paused():
                if derived and ra_records.uses_ra_layout(paths):
                    result = load_extract(con, spec, year, ra_records.derived_extract(con, spec.name, year), quarantine)
                else:
                    result = load_delivered(con, spec, year, paths.source_dir(spec.name, year), quarantine,
                                            reload=reload_requested(context.run.tags))
        except (ExtractRejected, UserError) as exc:  # UserError: the RA layout's records
            raise dg.Failure(description=f"{spec.name} {year} rejected: {exc}") from exc
        if result.reused_from:
            line = (f"{year} {spec.name}: {result.rows_accepted:,} rows as loaded on {loaded_at_text(result.reused_from)} "
                    "(the same file, definition and classification: not read again)")
        else:
            line = f"{year} {spec.name}: {result.rows_accepted:,} rows loaded"
        if result.rows_quarantined:
            line += f", {result.rows_quarantined:,} quarantined ({named(result.quarantine_file)})"
        if result.unknown_gemeente:
            line += f", {result.unknown_gemeente:,} without a known gemeente (counted in Nederland only)"
        report(context, line)
        return dg.MaterializeResult(metadata={**result.metadata(), "dagster/row_count": result.rows_accepted})

    return _ingest


ingest_assets = [raw_ra_records] + [build_ingest_asset(spec) for spec in YEARLY_SOURCES.values()]
