{#-
  Slope index of inequality (SII) across income quintiles, by the method of PHEindicatormethods'
  phe_sii() with value_type 0 and transform = FALSE (brief section 5).

  Per indicator x period x classification x region, with the quintiles ordered from the lowest
  income (quintile 1) to the highest (quintile 5):
      a_i = population share of quintile i (its denominator / the five denominators' sum)
      b_i = relative rank: the midpoint of quintile i in the cumulative population share
            (PHE's FindXValues: a_1 / 2, a_1 + a_2 / 2, ...)
  PHE fits sqrt(a) * y on sqrt(a) and b * sqrt(a) without intercept, which is the weighted
  least-squares line of y on b with weights a. Its slope is the SII: the difference of the
  fitted values at rank 1 (the top of the highest income) and rank 0 (the bottom of the
  lowest), in the indicator's unit (percentage points for %, per 1000 for rates). Negative:
  the figure is lower at higher incomes. The slope is a fixed linear combination of the values,
      SII = sum_i c_i y_i,   c_i = a_i (b_i - bbar) / sum_j a_j (b_j - bbar)^2,
      bbar = sum_j a_j b_j / sum_j a_j.

  Interval: PHE draws each quintile's value 100,000 times from N(y_i, SE_i), with
  SE_i = (upper95_i - lower95_i) / (2 * 1.959964), and takes percentiles of the simulated
  slopes. The slope being linear in the values, those simulated slopes are exactly normal with
  standard deviation sqrt(sum_i c_i^2 SE_i^2), so the simulation converges to
      SII -/+ z * sqrt(sum_i c_i^2 SE_i^2),   z = 1.959964 (95%) or 3.090232 (99.8%).
  That analytical form is computed here: the same figures without Monte Carlo noise, so a
  release is reproducible to the last digit (tests/test_inequality.py compares it with PHE's
  published test values).

  The helpers are window expressions over the quantiles of one group (`partition`: the
  partition-by list; `order`: the quantile order); sii_rows() puts them together.
-#}

{% macro sii_population_share(population, partition) -%}
    (cast({{ population }} as double) / sum({{ population }}) over (partition by {{ partition }}))
{%- endmacro %}

{% macro sii_relative_rank(share, partition, order) -%}
    (sum({{ share }}) over (partition by {{ partition }} order by {{ order }}
        rows between unbounded preceding and current row) - ({{ share }}) / 2.0)
{%- endmacro %}

{#- A sum of doubles over the group, added in quantile order: DuckDB's parallel sums may add in
    any order, which changes the last bit from run to run, and with it the release's content
    hash (a rebuild of the same inputs would look like new content). The order is total because
    a group has one cell per quantile (one row per breakdown category). #}
{% macro sii_group_sum(expression, partition, order) -%}
    sum({{ expression }}) over (partition by {{ partition }} order by {{ order }}
        rows between unbounded preceding and unbounded following)
{%- endmacro %}

{% macro sii_slope_coefficient(share, rank, partition, order) -%}
    (({{ share }}) * (({{ rank }}) - {{ sii_group_sum('(' ~ share ~ ') * (' ~ rank ~ ')', partition, order) }}
                                     / {{ sii_group_sum(share, partition, order) }})
     / nullif({{ sii_group_sum('(' ~ share ~ ') * (' ~ rank ~ ') * (' ~ rank ~ ')', partition, order) }}
              - pow({{ sii_group_sum('(' ~ share ~ ') * (' ~ rank ~ ')', partition, order) }}, 2)
                / {{ sii_group_sum(share, partition, order) }}, 0))
{%- endmacro %}

{#- The standard error PHE derives from a 95% interval. #}
{% macro sii_standard_error(lower, upper) -%}
    ((({{ upper }}) - ({{ lower }})) / (2.0 * {{ z_95() }}))
{%- endmacro %}

{#-
  sii_rows(cells): one row per indicator x period x classification x region that has cells of
  the breakdown, in the columns of indicator_values (union it BY NAME; the columns it leaves out,
  such as the comparisons and the trend, are NULL). `cells` is a relation of published-to-be
  cells with the columns of indicator_values' `published` stage: the keys, unit,
  interval_method, is_suppressed, denominator_published, value, ci95_lower and ci95_upper.

  Rows: breakdown 'sii', breakdown_category = the breakdown the slope runs over
  ('income_quintile'); numerator and denominator NULL; ci_method 'sii_normal'. Only for
  indicators with an interval (not the census of gemeenten). Disclosure: the SII is computed
  from published quintiles only. When any of the five is withheld (or has no figure), the SII
  is withheld too, with suppression_reason 'quintile_withheld': a slope over a withheld
  quintile and the four published ones would give the withheld value away.
-#}
{% macro sii_rows(cells, breakdown='income_quintile', quantiles=5) -%}
    {%- set grp = 'indicator_code, period, classification_year, region_code' -%}
    select * from (
    with sii_cells as (
        select
            *,
            cast(breakdown_category as integer) as sii_quantile,
            count(*) filter (where not is_suppressed and value is not null and ci95_lower is not null
                and denominator_published > 0) over (partition by {{ grp }}) as sii_usable
        from {{ cells }}
        where breakdown = '{{ breakdown }}'
            and breakdown_category in ({% for q in range(1, quantiles + 1) %}'{{ q }}'{{ ', ' if not loop.last }}{% endfor %})
            and interval_method <> 'none'
    ),

    sii_shares as (
        select *,
            case when sii_usable = {{ quantiles }}
                then {{ sii_population_share('denominator_published', grp) }} end as sii_share
        from sii_cells
    ),

    sii_ranks as (
        select *, {{ sii_relative_rank('sii_share', grp, 'sii_quantile') }} as sii_rank
        from sii_shares
    ),

    sii_coefficients as (
        select *,
            {{ sii_slope_coefficient('sii_share', 'sii_rank', grp, 'sii_quantile') }} as sii_c,
            {{ sii_standard_error('ci95_lower', 'ci95_upper') }} as sii_se
        from sii_ranks
    ),

    sii as (
        select
            indicator_code, period, classification_year, region_code,
            any_value(year_from) as year_from,
            any_value(year_to) as year_to,
            any_value(region_name) as region_name,
            any_value(region_level) as region_level,
            any_value(unit) as unit,
            min(sii_usable) = {{ quantiles }} as is_computed,
            sum(sii_c * value order by sii_quantile) as sii_value,  -- in order: see sii_group_sum
            sqrt(sum(sii_c * sii_c * sii_se * sii_se order by sii_quantile)) as sii_se
        from sii_coefficients
        group by {{ grp }}
    )

    select
        indicator_code,
        period,
        cast(year_from as integer)                                          as year_from,
        cast(year_to as integer)                                            as year_to,
        region_code,
        region_name,
        region_level,
        cast(classification_year as integer)                                as classification_year,
        'sii'                                                               as breakdown,
        '{{ breakdown }}'                                                   as breakdown_category,
        cast(null as bigint)                                                as numerator,
        cast(null as bigint)                                                as denominator,
        cast(case when is_computed then sii_value end as double)            as value,
        unit,
        cast(case when is_computed then sii_value - {{ z_95() }} * sii_se end as double)  as ci95_lower,
        cast(case when is_computed then sii_value + {{ z_95() }} * sii_se end as double)  as ci95_upper,
        cast(case when is_computed then sii_value - {{ z_998() }} * sii_se end as double) as ci998_lower,
        cast(case when is_computed then sii_value + {{ z_998() }} * sii_se end as double) as ci998_upper,
        case when is_computed then 'sii_normal' end                         as ci_method,
        not is_computed                                                     as suppressed,
        case when not is_computed then 'quintile_withheld' end              as suppression_reason
    from sii
    )
{%- endmacro %}
