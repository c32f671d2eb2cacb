-- Children aged 0-1 on 1 January of the build year per gemeente, in the target classification
-- and, when published, in the build year's own classification (macros/children_0_1.sql).
{{ population_0_1(build_year(), build_year(), target_classification_year(), include_own_classification()) }}
