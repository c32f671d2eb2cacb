{#-
  Confidence intervals, as in PHEindicatormethods (England's Fingertips).
  All take SQL expressions and return a SQL expression. `multiplier` scales the result (100 for
  percentages, 1000 for per-1000 figures). NULL when the denominator is 0 or NULL. Wilson
  bounds are exactly 0 at 0 events and exactly the multiplier at n of n events, and clamped to
  [0, multiplier] against rounding.

  Wilson score interval for a proportion num/den, without continuity correction:
      (2*num + z^2 -/+ z*sqrt(z^2 + 4*num*(1 - num/den))) / (2*(den + z^2))

  Byar's approximation of the Poisson interval for a count O (rate = O/den * multiplier):
      lower = O     * (1 - 1/(9*O)     - z/(3*sqrt(O)))^3
      upper = (O+1) * (1 - 1/(9*(O+1)) + z/(3*sqrt(O+1)))^3
  RIVM/PHE use it from 10 events on (exact Poisson limits below 10; those cells are
  suppressed in this monitor anyway).
-#}

{% macro z_95() %}1.959964{% endmacro %}
{% macro z_998() %}3.090232{% endmacro %}

{% macro wilson_lower(num, den, z, multiplier=1) -%}
    (case
        when ({{ den }}) > 0 and ({{ num }}) = 0 then 0.0
        when ({{ den }}) > 0 then greatest(0.0,
        (2.0 * ({{ num }}) + ({{ z }}) * ({{ z }})
         - ({{ z }}) * sqrt(({{ z }}) * ({{ z }}) + 4.0 * ({{ num }}) * (1.0 - cast({{ num }} as double) / ({{ den }}))))
        / (2.0 * (({{ den }}) + ({{ z }}) * ({{ z }}))) * ({{ multiplier }}))
    end)
{%- endmacro %}

{% macro wilson_upper(num, den, z, multiplier=1) -%}
    (case
        when ({{ den }}) > 0 and ({{ num }}) = ({{ den }}) then 1.0 * ({{ multiplier }})
        when ({{ den }}) > 0 then least(1.0 * ({{ multiplier }}),
        (2.0 * ({{ num }}) + ({{ z }}) * ({{ z }})
         + ({{ z }}) * sqrt(({{ z }}) * ({{ z }}) + 4.0 * ({{ num }}) * (1.0 - cast({{ num }} as double) / ({{ den }}))))
        / (2.0 * (({{ den }}) + ({{ z }}) * ({{ z }}))) * ({{ multiplier }}))
    end)
{%- endmacro %}

{% macro byar_lower(num, den, z, multiplier=1) -%}
    (case
        when ({{ den }}) > 0 and ({{ num }}) = 0 then 0.0
        when ({{ den }}) > 0 then greatest(0.0,
            ({{ num }}) * pow(1.0 - 1.0 / (9.0 * ({{ num }})) - ({{ z }}) / (3.0 * sqrt({{ num }})), 3)
            / ({{ den }}) * ({{ multiplier }}))
    end)
{%- endmacro %}

{% macro byar_upper(num, den, z, multiplier=1) -%}
    (case when ({{ den }}) > 0 then
        (({{ num }}) + 1) * pow(1.0 - 1.0 / (9.0 * (({{ num }}) + 1)) + ({{ z }}) / (3.0 * sqrt(({{ num }}) + 1)), 3)
        / ({{ den }}) * ({{ multiplier }})
    end)
{%- endmacro %}
