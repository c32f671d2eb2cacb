"""Ingest: the inbox's extracts into the warehouse's `raw` schema."""

from .assets import ingest_assets, raw_regions

__all__ = ["ingest_assets", "raw_regions"]
