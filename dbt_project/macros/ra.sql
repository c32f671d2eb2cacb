{#-
  Shared rules of the RA layout (models/ra): person keys, CBS dates, optional variables and the
  gemeente column of an address in a classification year.
-#}

{#- A person: the kind of number and the number ('R' || '000012345'); NULL when the number is
    missing (the reader already turned the missing forms into NULL), so it never matches. -#}
{% macro ra_person_key(kind, number) -%}
    (case when {{ number }} is not null then coalesce({{ kind }}, '?') || {{ number }} end)
{%- endmacro %}

{#- CBS dates come as YYYYMMDD text or numbers (88881231 = open end); a date column works too. -#}
{% macro ra_date(column) -%}
    coalesce(cast(try_strptime(trim(cast({{ column }} as varchar)), '%Y%m%d') as date),
             try_cast({{ column }} as date))
{%- endmacro %}

{#- A variable that only some deliveries have: the column, or a typed NULL when it is absent. -#}
{% macro ra_optional(relation, column, type) -%}
    {%- set present = [] -%}
    {%- if execute -%}
        {%- for c in adapter.get_columns_in_relation(relation) if c.name | lower == column | lower -%}
            {%- do present.append(c.name) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if present -%} try_cast("{{ present[0] }}" as {{ type }}) {%- else -%} cast(null as {{ type }}) {%- endif -%}
{%- endmacro %}

{#- The gemeente classification years an address table has a column for (gemYYYY). -#}
{% macro ra_classification_columns(relation) -%}
    {%- set years = [] -%}
    {%- if execute -%}
        {%- for c in adapter.get_columns_in_relation(relation) -%}
            {%- if modules.re.fullmatch('gem[0-9]{4}', c.name | lower) -%}{%- do years.append(c.name[3:] | int) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(years | sort) }}
{%- endmacro %}

{#- Hand rules for gemeenten that changed after 1 January: (from classification year, delivered
    code, code). Weesp joined Amsterdam on 24 March 2022. -#}
{% macro ra_hand_rules() -%}
    {{ return([(2022, '0457', '0363')]) }}
{%- endmacro %}

{#- 'GMnnnn' of an address table's gemeente column in `classification_year`, with the hand
    rules; NULL when the column holds no gemeente number. -#}
{% macro ra_gemeente_code(column, classification_year) -%}
    {%- set ns = namespace(code="lpad(trim(cast(" ~ column ~ " as varchar)), 4, '0')") -%}
    {%- for since, old, new in ra_hand_rules() if classification_year >= since -%}
        {%- set ns.code = "(case when " ~ ns.code ~ " = '" ~ old ~ "' then '" ~ new ~ "' else " ~ ns.code ~ " end)" -%}
    {%- endfor -%}
    (case when regexp_full_match(trim(cast({{ column }} as varchar)), '[0-9]{1,4}')
           and try_cast({{ column }} as integer) > 0 then 'GM' || {{ ns.code }} end)
{%- endmacro %}
