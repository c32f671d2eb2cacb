-- Metadata per indicator, from the indicator registry (model indicator_catalogue).
select
    indicator_code,
    name_nl,
    name_en,
    definition,
    numerator_definition,
    denominator_definition,
    definition_nl,
    numerator_definition_nl,
    denominator_definition_nl,
    unit,
    cast(multiplier as integer) as multiplier,
    polarity,
    source,
    phase,
    interval_method,
    disclosure_rule,
    quality_note_nl,
    quality_note_en,
    edition                     as definition_edition
from {{ ref('indicator_catalogue') }}
