-- Yearly municipal questionnaire: English names, answers 'ja'/'nee' as BOOLEAN (NULL = no answer).
select
    cast(year as integer)                                  as year,
    source_file,
    cast(source_row as integer)                            as source_row,
    cast(jaar as integer)                                  as questionnaire_year,
    gemeente_code,
    gemeente_code_delivered,
    gemeente_code_status,
    gemeentenaam                                           as gemeente_name_reported,
    {{ ja_nee_to_boolean('coalitie') }}                    as has_coalition,
    {{ ja_nee_to_boolean('actieplan') }}                   as has_action_plan,
    {{ ja_nee_to_boolean('prenataal_huisbezoek') }}        as offers_prenatal_home_visits,
    {{ ja_nee_to_boolean('nu_niet_zwanger') }}             as offers_nu_niet_zwanger
from {{ source('raw', 'questionnaire') }}
