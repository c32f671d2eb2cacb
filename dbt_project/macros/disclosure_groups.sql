{#-
  disclosure_group(group_type, key, parents, children, id_prefix=group_type): the rows of one
  kind of additive group for int_disclosure_groups. `parents` and `children` are SQL selects
  with the columns of `key` and a cell_id; a group is one value of `key`: its parent cell(s)
  (is_parent true) and the child cells that add up to it. group_id = id_prefix|key values.
-#}
{% macro disclosure_group(group_type, key, parents, children, id_prefix=none) -%}
    {%- set group_id = "concat_ws('|', '" ~ (id_prefix or group_type) ~ "', " ~ key | join(', ') ~ ")" -%}
    select {{ group_id }} as group_id, '{{ group_type }}' as group_type, cell_id, true as is_parent
    from ({{ parents }}) as parents
    union all
    select {{ group_id }}, '{{ group_type }}', cell_id, false
    from ({{ children }}) as children
{%- endmacro %}
