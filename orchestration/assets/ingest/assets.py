"""One asset per source: the year's extract into raw.<source> (delete-then-insert per year)."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.escaping import named
from orchestration.partitions import yearly_partitions
from orchestration.progress import report
from orchestration.resources import WAREHOUSE_POOL, KsmPaths
from orchestration.sources import YEARLY_SOURCES, SourceSpec

from .extract_files import ExtractRejected, find_extract, parse_extract
from .load import load_extract
from .regions import classification_file, load_regions


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


def build_ingest_asset(spec: SourceSpec) -> dg.AssetsDefinition:
    @dg.asset(
        name=spec.name,
        key_prefix=["raw"],
        group_name="ingest",
        kinds={"duckdb"},
        partitions_def=yearly_partitions,
        pool=WAREHOUSE_POOL,
        deps=[raw_regions],  # gemeente codes are checked against the year's classification
        description=f"{spec.description} Loaded from inbox/{spec.name}/<year>/.",
    )
    def _ingest(context: dg.AssetExecutionContext, ksm: KsmPaths, warehouse: DuckDBResource):
        year = int(context.partition_key)
        paths = ksm.paths
        try:
            path = find_extract(paths.source_dir(spec.name, year), spec.name, year)
            parsed = parse_extract(path, spec.column_names)
            with warehouse.get_connection() as con:
                result = load_extract(con, spec, year, parsed, paths.quarantine / spec.name / str(year))
        except ExtractRejected as exc:
            raise dg.Failure(description=f"{spec.name} {year} rejected: {exc}") from exc
        line = f"{year} {spec.name}: {result.rows_accepted:,} rows loaded"
        if result.rows_quarantined:
            line += f", {result.rows_quarantined:,} quarantined ({named(result.quarantine_file)})"
        if result.unknown_gemeente:
            line += f", {result.unknown_gemeente:,} without a known gemeente (counted in Nederland only)"
        report(context, line)
        return dg.MaterializeResult(metadata={**result.metadata(), "dagster/row_count": result.rows_accepted})

    return _ingest


ingest_assets = [build_ingest_asset(spec) for spec in YEARLY_SOURCES.values()]
