{#-
  Recent trend of a yearly series (the latest trend_points years), as Fingertips computes it.

  Indicators with a 95% interval (proportions: Wilson; rates: Byar/exact Poisson): weighted
  least squares of the value y on the time t, each point weighted by w = 1/SE^2 with
  SE = (upper - lower) / (2 * 1.959964), the standard error implied by the 95% interval:
      Sxx   = sum(w t^2) - sum(w t)^2 / sum(w)
      slope = (sum(w t y) - sum(w t) sum(w y) / sum(w)) / Sxx
      chi2  = (slope / SE(slope))^2 = slope^2 Sxx,   SE(slope)^2 = 1 / Sxx
  i.e. the inverse-variance weighted regression with the points' variances taken as known (the
  slope's variance is not rescaled by the residual variance, as a general weighted regression such
  as R's lm(weights=) would do). This is how Fingertips describes its current recent-trend
  method; we found no published Fingertips or PHEindicatormethods values to check it against, so
  the tests compare it with hand-worked series and the reference in tests/reference_statistics.py.
  Significant when chi2 > 9.5495 (99.8%, 1 df) AND the slope keeps its sign whichever single
  point is left out: the leave-one-out slopes come from the same sums minus the left-out point's
  terms (window sums over the series), the algebraic equivalent of refitting on the other points.

  Census indicators (interval_method 'none': shares of gemeenten, no sampling error, so no
  weights): the older Fingertips test, the chi-square test for trend in proportions on the counts
  (Cochran-Armitage, numerators O and denominators n), without the leave-one-out rule:
      Sxx   = sum(n t^2) - sum(n t)^2 / N,   N = sum(n),  p = sum(O) / N
      slope = (sum(O t) - sum(O) sum(n t) / N) / Sxx        (change of the proportion per t)
      chi2  = slope^2 Sxx / (p (1 - p))                       (NULL when p is 0 or 1)

  A series is tested only when it has exactly trend_points points, each with a value (and, with
  intervals, an interval of positive width); otherwise 'cannot_be_calculated'. A withheld point
  has neither, so it breaks the series.
-#}

{% macro trend_chi2_critical() %}9.5495{% endmacro %}

{#- 1 / SE^2 from a 95% interval; NULL when the interval is missing or has no width -#}
{% macro trend_weight(lower, upper) -%}
    (case when ({{ upper }}) > ({{ lower }}) then pow(2.0 * {{ z_95() }} / (({{ upper }}) - ({{ lower }})), 2) end)
{%- endmacro %}

{#- weighted least-squares slope from the sums sum(w), sum(w t), sum(w t^2), sum(w y), sum(w t y) -#}
{% macro _wls_slope(sw, swt, swtt, swy, swty) -%}
    ((({{ swty }}) - ({{ swt }}) * ({{ swy }}) / ({{ sw }}))
     / nullif(({{ swtt }}) - pow({{ swt }}, 2) / ({{ sw }}), 0))
{%- endmacro %}

{#- Cochran-Armitage as AGGREGATE expressions over the points of one series (census shares) -#}
{% macro _trend_sxx(den, t) -%}
    (sum(({{ den }}) * ({{ t }}) * ({{ t }})) - pow(sum(({{ den }}) * ({{ t }})), 2) / sum({{ den }}))
{%- endmacro %}

{% macro trend_proportion_slope(num, den, t) -%}
    ((sum(({{ num }}) * ({{ t }})) - sum({{ num }}) * sum(({{ den }}) * ({{ t }})) / sum({{ den }}))
     / nullif({{ _trend_sxx(den, t) }}, 0))
{%- endmacro %}

{% macro trend_proportion_chi2(num, den, t) -%}
    (pow({{ trend_proportion_slope(num, den, t) }}, 2) * {{ _trend_sxx(den, t) }}
     / nullif((sum({{ num }}) / sum({{ den }})) * (1.0 - sum({{ num }}) / sum({{ den }})), 0))
{%- endmacro %}

{#-
  The trend of every series in `points`, a relation (CTE name) with one row per point and the
  columns: the series keys (`keys`, a list of column names), t (the time, e.g. year - build
  year), value, ci95_lower, ci95_upper, numerator, denominator, interval_method and polarity.
  Returns one row per series: the keys, slope, chi2, sign_stable (every leave-one-out slope has
  the sign of the slope; true for census series) and trend (labelled by trend_label).
-#}
{% macro recent_trend(points, keys, n_points) -%}
{%- set k = keys | join(', ') -%}
select {{ k }}, slope, chi2, sign_stable,
    {{ trend_label('chi2', 'slope', 'polarity', 'usable', 'sign_stable') }} as trend
from (
    select {{ k }}, polarity, usable,
        case when census then proportion_slope else wls_slope end                     as slope,
        case when census then proportion_chi2 else wls_chi2 end                       as chi2,
        census or (count_loo = {{ n_points }}
            and ((wls_slope > 0 and min_loo > 0) or (wls_slope < 0 and max_loo < 0))) as sign_stable
    from (
        select {{ k }},
            any_value(polarity)                                                       as polarity,
            any_value(interval_method) = 'none'                                       as census,
            count(*) = {{ n_points }} and count(distinct t) = {{ n_points }}
                and count(case when interval_method = 'none' then value else w * value end) = {{ n_points }}
                                                                                      as usable,
            any_value({{ _wls_slope('sw', 'swt', 'swtt', 'swy', 'swty') }})          as wls_slope,
            any_value(pow({{ _wls_slope('sw', 'swt', 'swtt', 'swy', 'swty') }}, 2)
                * (swtt - pow(swt, 2) / sw))                                          as wls_chi2,
            count(loo_slope)                                                          as count_loo,
            min(loo_slope)                                                            as min_loo,
            max(loo_slope)                                                            as max_loo,
            {{ trend_proportion_slope('numerator', 'denominator', 't') }}             as proportion_slope,
            {{ trend_proportion_chi2('numerator', 'denominator', 't') }}              as proportion_chi2
        from (
            select *,
                {{ _wls_slope('sw - w', 'swt - w * t', 'swtt - w * t * t', 'swy - w * value',
                              'swty - w * t * value') }}                              as loo_slope
            from (
                select *,
                    sum(w) over series                 as sw,
                    sum(w * t) over series             as swt,
                    sum(w * t * t) over series         as swtt,
                    sum(w * value) over series         as swy,
                    sum(w * t * value) over series     as swty
                from (select *, {{ trend_weight('ci95_lower', 'ci95_upper') }} as w from {{ points }})
                window series as (partition by {{ k }})
            )
        )
        group by {{ k }}
    )
)
{%- endmacro %}

{#-
  Trend label from the statistic, the slope and the indicator's polarity (scalar expressions).
  `enough_points` is a boolean expression: false gives 'cannot_be_calculated'. A NULL
  statistic with enough points (every proportion 0 or 1) is 'no_significant_change', and so is
  a significant slope that is not `sign_stable` (a boolean expression; optional).
-#}
{% macro trend_label(chi2, slope, polarity, enough_points, sign_stable=none) -%}
    (case
        when not coalesce({{ enough_points }}, false) then 'cannot_be_calculated'
        when ({{ chi2 }}) is null or ({{ chi2 }}) <= {{ trend_chi2_critical() }} or ({{ slope }}) = 0
            then 'no_significant_change'
        {%- if sign_stable is not none %}
        when not coalesce({{ sign_stable }}, false) then 'no_significant_change'
        {%- endif %}
        when ({{ polarity }}) = 'low_is_good' then
            case when ({{ slope }}) > 0 then 'increasing_and_getting_worse' else 'decreasing_and_getting_better' end
        when ({{ polarity }}) = 'high_is_good' then
            case when ({{ slope }}) > 0 then 'increasing_and_getting_better' else 'decreasing_and_getting_worse' end
        when ({{ slope }}) > 0 then 'increasing'
        else 'decreasing'
    end)
{%- endmacro %}

{#-
  worse_and_worsening: worse than Nederland and a trend that is getting worse. NULL unless both
  are known: a comparison by polarity (better/similar/worse) and a trend that could be
  calculated (so an indicator without polarity, Nederland itself and withheld rows give NULL).
-#}
{% macro worse_and_worsening(compared_to_nl, trend) -%}
    (case when ({{ compared_to_nl }}) in ('better', 'similar', 'worse')
            and ({{ trend }}) <> 'cannot_be_calculated'
        then ({{ compared_to_nl }}) = 'worse'
            and ({{ trend }}) in ('increasing_and_getting_worse', 'decreasing_and_getting_worse')
    end)
{%- endmacro %}
