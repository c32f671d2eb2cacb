"""Quality gates: expectation suites (expectations/*.json) and reconciliations as asset checks."""

from .checks import mart_quality_checks, quality_checks, quality_dir, source_quality_checks

__all__ = ["mart_quality_checks", "quality_checks", "quality_dir", "source_quality_checks"]
