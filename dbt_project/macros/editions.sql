{#-
  Editions of the definitions (var ksm_editions in dbt_project.yml).

  definition_edition(): the edition this build uses: the env var KSM_EDITION, default 'brief'.
      Read at run time only (like build_year), so changing it never re-parses the project; while
      dbt only parses it is 'brief'. An unknown edition stops the run naming the known ones.
  edition_entry(): that edition's entry (code, names, `parents`).
  with_edition(entry): an indicator entry with its `editions:` overrides for the build's edition
      applied (indicator_registry() calls it), and `edition` set.
-#}

{% macro definition_edition() -%}
    {%- set requested = (env_var('KSM_EDITION', '') if execute else '') | trim -%}
    {%- set code = requested or 'brief' -%}
    {%- set known = var('ksm_editions') | map(attribute='code') | list -%}
    {%- if code not in known -%}
        {{ exceptions.raise_compiler_error("KSM_EDITION '" ~ code ~ "' is not an edition of the definitions; known: "
            ~ known | join(', ')) }}
    {%- endif -%}
    {{ return(code) }}
{%- endmacro %}

{% macro edition_entry() -%}
    {%- set code = definition_edition() -%}
    {{ return(var('ksm_editions') | selectattr('code', 'equalto', code) | first) }}
{%- endmacro %}

{% macro with_edition(entry) -%}
    {%- set edition = definition_edition() -%}
    {%- set result = {} -%}
    {%- do result.update(entry) -%}
    {%- do result.update((entry.get('editions') or {}).get(edition) or {}) -%}
    {%- do result.update({'edition': edition}) -%}
    {{ return(result) }}
{%- endmacro %}
