"""Release: publish a year's marts once every blocking check of the year has passed."""

from .assets import release

__all__ = ["release"]
