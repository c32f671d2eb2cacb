{#-
  The store of yearly pooled counts (int_pooled_counts_store): a pooled period is the sum of
  five yearly counts on the target classification, and four of those five were counted in the
  builds before. A data year's counts are kept with a fingerprint of everything they were
  computed from, and counted again only when that fingerprint changes.

  A data year's fingerprint is the MD5 of:
  - the SQL that counts it: count_cells() over that one year, and birth_records() of that year
    (int_births_pooled is read by name in count_cells): the target classification, the pooled
    indicators and breakdowns, the edition's definitions and this project's macros are all in it;
    and the source of the store's model and of every model it reads;
  - DuckDB's version;
  - the content of every relation that SQL reads (pooled_count_inputs()): of the yearly record
    sources the rows of that year, of the others the rows the count reads; per relation a sum
    of row hashes and a row count. A reloaded year, a new code map or classification, a changed
    seed: each changes it.
  pooled_count_inputs_cover() stops the build when the count reads a relation that is not
  declared there, so that an input cannot be added without being fingerprinted.
-#}

{% macro pooled_count_inputs(target) -%}
    {#- every relation a data year's pooled count reads, and which of its rows: 'by_year' (the
        rows of that data year) or a condition (the rows the count reads for any year) -#}
    {{ return([
        {'relation': ref('stg_perined'), 'rows': 'by_year'},
        {'relation': ref('stg_cbs_linked'), 'rows': 'by_year'},
        {'relation': ref('stg_vektis'), 'rows': 'by_year'},
        {'relation': ref('stg_youth_protection'), 'rows': 'by_year'},
        {'relation': ref('stg_population'), 'rows': 'by_year'},
        {'relation': ref('stg_gemeente_code_map'), 'rows': 'to_year = ' ~ target},
        {'relation': ref('int_region_membership'), 'rows': 'classification_year = ' ~ target},
        {'relation': ref('breakdown_categories'), 'rows': 'true'},
    ]) }}
{%- endmacro %}

{% macro pooled_count_inputs_cover(inputs, window) -%}
    {#- The model's parents must be declared inputs; int_births_pooled is birth_records() (its
        SQL is in the fingerprint), and the raw tables pooled_window() and
        target_classification_year() read only decide what is counted (also in the SQL). -#}
    {%- set allowed = inputs | map(attribute='relation') | map(attribute='identifier') | list -%}
    {%- do allowed.extend(['int_births_pooled', model.name]) -%}
    {%- set deciding = (window.sources.keys() | list) + ['regions', 'gemeente_code_map'] -%}
    {%- for parent in model.depends_on.nodes -%}
        {%- set name = parent.split('.')[-1] -%}
        {%- if not (name in allowed or (parent.startswith('source.') and name in deciding)) -%}
            {{ exceptions.raise_compiler_error(
                "the pooled counts read '" ~ parent ~ "', which their fingerprint does not cover: "
                ~ "declare it in pooled_count_inputs() (macros/pooled_store.sql)") }}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{% macro pooled_count_window(window, year) -%}
    {#- the pooled window narrowed to one data year: same indicators and breakdowns -#}
    {%- set narrowed = {} -%}
    {%- do narrowed.update(window) -%}
    {%- do narrowed.update({'year_from': year, 'year_to': year}) -%}
    {{ return(narrowed) }}
{%- endmacro %}

{% macro pooled_count_sql(window, year, target) -%}
    {{ return(count_cells(counting_window('pooled', year, target, pooled=pooled_count_window(window, year)))) }}
{%- endmacro %}

{% macro pooled_count_fingerprints(window, target) -%}
    {#- {data year: fingerprint} for each year of a pooled window; empty while parsing and when
        nothing is pooled -#}
    {%- set inputs = pooled_count_inputs(target) -%}
    {%- if not execute or not window.indicators -%}
        {{ return({}) }}
    {%- endif -%}
    {%- do pooled_count_inputs_cover(inputs, window) -%}
    {%- set years = range(window.year_from, window.year_to + 1) | list -%}
    {%- set content_sql -%}
        with content as (
            {%- for input in inputs %}
            {%- if input.rows == 'by_year' %}
            select year as data_year, {{ loop.index }} as input, sum(hash(t)::hugeint) as h, count(*) as n
            from {{ input.relation }} as t
            where year between {{ window.year_from }} and {{ window.year_to }}
            group by year
            {%- else %}
            select y.data_year, {{ loop.index }} as input, c.h, c.n
            from (select sum(hash(t)::hugeint) as h, count(*) as n from {{ input.relation }} as t
                  where {{ input.rows }}) as c
            cross join (select unnest({{ years }}) as data_year) as y
            {%- endif %}
            union all
            {%- endfor %}
            select null, null, null, null where false
        )
        select data_year,
            string_agg(input || ':' || coalesce(cast(h as varchar), '-') || ':' || n, ',' order by input)
                || '|' || version()
        from content
        group by data_year
    {%- endset -%}
    {%- set content = {} -%}
    {%- for row in run_query(content_sql).rows -%}
        {%- do content.update({row[0] | int: row[1]}) -%}
    {%- endfor -%}
    {#- the SQL of this model and of each model it reads (int_births_pooled is read by name;
        its year's records are birth_records() of that year) -#}
    {%- set models = [model.raw_code] -%}
    {%- for parent in model.depends_on.nodes if parent in graph.nodes -%}
        {%- do models.append(graph.nodes[parent].raw_code) -%}
    {%- endfor -%}
    {%- set models_md5 = local_md5(models | join('|')) -%}
    {%- set fingerprints = {} -%}
    {%- for year in years -%}
        {%- set code = pooled_count_sql(window, year, target) ~ birth_records(year, year, target) -%}
        {%- do fingerprints.update({year: local_md5(code ~ '|' ~ models_md5 ~ '|' ~ content.get(year, 'no rows'))}) -%}
    {%- endfor -%}
    {{ return(fingerprints) }}
{%- endmacro %}

{% macro pooled_store_column_types() -%}
    {#- the store's columns and their types: the year, the fingerprint, a cell's keys and counts -#}
    {%- set columns = [('data_year', 'integer'), ('fingerprint', 'varchar')] -%}
    {%- for key in cell_keys() -%}
        {%- do columns.append((key, 'integer' if key == 'classification_year' else 'varchar')) -%}
    {%- endfor -%}
    {%- do columns.extend([('region_name', 'varchar'), ('numerator', 'bigint'), ('denominator', 'bigint'),
                           ('is_denominator_complete', 'boolean')]) -%}
    {{ return(columns) }}
{%- endmacro %}

{% macro pooled_store_columns() -%}
    {{ return(pooled_store_column_types() | map('first') | list) }}
{%- endmacro %}

{% macro pooled_count_store() -%}
    {#- the store as the builds before left it, or none: none yet, or other columns (a new
        version of this project: every year is counted again) -#}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
    {%- if relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {{ return(relation if columns | sort == pooled_store_columns() | sort else none) }}
{%- endmacro %}

{% macro pooled_stored_fingerprints(stored) -%}
    {#- {data year: fingerprint} of the store; a year with more than one is not kept -#}
    {%- set found = {} -%}
    {%- if execute and stored -%}
        {%- set stored_sql -%}
            select data_year, min(fingerprint) from {{ stored }}
            group by data_year having count(distinct fingerprint) = 1
        {%- endset -%}
        {%- for row in run_query(stored_sql).rows -%}
            {%- do found.update({row[0] | int: row[1]}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}
