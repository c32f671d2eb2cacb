"""Transform: the dbt project as Dagster assets, one yearly build per partition."""

from .dbt import dbt_models

__all__ = ["dbt_models"]
