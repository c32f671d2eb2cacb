"""The CBS Remote Access (RA) input layout: CBS's standard microdata tables, the project's own
deliveries and the reference files, read from SPSS `.sav` (or CSV) where CBS keeps them.

`layout` says where each logical table is and which file counts; `read_sav` loads one file into
DuckDB `raw_ra.<table>`; `records` reads a year's tables, has the dbt models of
`dbt_project/models/ra` derive the year's records (placed by the mother's address) and hands
them to the ingest.
"""
