"""The demo: synthetic extracts for `ksm demo-data` / `make demo`, on the real classifications of
gemeenten bundled in `reference/`. Not part of the warehouse itself (`orchestration/`): the
warehouse reads whatever is in the inbox, demo or real."""
