-- The build year's youth-protection records, gemeente harmonised (macros/children_0_1.sql).
{{ youth_protection_records(build_year(), build_year(), target_classification_year()) }}
