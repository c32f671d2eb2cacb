-- The build year's perined records in the extract's columns (orchestration/sources.py), as
-- text: the ingest loads and checks them exactly like a delivered extract.
select
    coalesce(b.child_key, 'onbekend-' || row_number() over ())                as kind_id,
    coalesce(b.mother_key, 'onbekend-' || coalesce(b.child_key, ''))           as moeder_id,
    cast(b.birth_year as varchar)                                               as geboortejaar,
    coalesce(pl.gemeente_code, '')                                              as gemeente_code,
    coalesce(pl.current_gemeente_code, '')                                      as gemeente_code_actueel,
    cast(b.amww as varchar)                                                     as amww,
    coalesce(cast(b.hoftiezer as varchar), '')                                  as hoftiezer,
    coalesce(cast(b.amddd1ond as varchar), '')                                  as amddd1ond,
    cast(b.sterfte as varchar)                                                  as sterfte,
    cast(b.omv as varchar)                                                      as omv,
    cast(b.rangnummer as varchar)                                               as rangnummer,
    coalesce(cast(b.mother_age as varchar), '')                                 as leeftijd_moeder,
    coalesce(cast(b.parity as varchar), '')                                     as pariteit
from {{ ref('int_ra_births') }} as b
left join {{ ref('int_ra_placement') }} as pl on pl.mother_key = b.mother_key
order by b.child_key
