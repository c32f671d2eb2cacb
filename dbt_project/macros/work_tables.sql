{#-
  The work tables of disclosure control live in build_scratch for the length of a build
  (dbt_project.yml). A warehouse built before they moved there, or by hand with
  keep_work_tables, still holds copies of them in its own file: stale from the next build on,
  so every build drops them (on-run-start), unless it keeps its own there.
-#}
{% macro drop_kept_work_tables() -%}
    {%- if execute and not var('keep_work_tables', false) -%}
        {%- for node in graph.nodes.values()
                if node.resource_type == 'model' and node.database != target.database %}
    drop table if exists {{ api.Relation.create(database=target.database, schema=node.schema, identifier=node.alias) }};
        {%- endfor %}
    {%- endif %}
{%- endmacro %}
