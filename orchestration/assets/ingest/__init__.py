"""Ingest: the inbox's extracts (or, in the RA layout, the records derived from the RA tables)
into the warehouse's `raw` schema."""

from .assets import ingest_assets, raw_ra_records, raw_regions

__all__ = ["ingest_assets", "raw_ra_records", "raw_regions"]
