"""The words and number formats of the report and the site, in Dutch and English.

Every label a reader sees goes through a `Words` (`NL` or `EN`): the comparison and trend words,
the reasons a figure is withheld, the phases, the breakdowns, indicator names, numbers (nl-NL:
decimal comma, thousands point) and the sentences and headings that the report and the site share
(`Words.text`; the site's own sentences are in `orchestration.site.text`, the report's are here).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape

# the indicators' order everywhere: by phase of the first 1000 days
PHASES = ("before_pregnancy", "during_pregnancy", "after_birth")
# the suppression_reason of a gemeente without a questionnaire answer: shown, not "withheld"
NOT_ANSWERED = "not_answered"


def phase_rank(phase: str | None) -> int:
    return PHASES.index(phase) if phase in PHASES else len(PHASES)


def by_phase(indicators: Iterable[dict]) -> list[dict]:
    """The one order of the indicators (rows of the `indicators` table) in the report and the site:
    by phase (before, during, after pregnancy), then by code."""
    return sorted(indicators, key=lambda m: (phase_rank(m["phase"]), m["indicator_code"]))


@dataclass(frozen=True)
class Words:
    lang: str
    decimal: str
    thousands: str
    comparisons: dict[str, str]
    trends: dict[str, str]
    reasons: dict[str, str]
    phases: dict[str, str]
    breakdowns: dict[str, str]
    text: dict[str, str] = field(default_factory=dict)

    def t(self, key: str, **values) -> str:
        return self.text[key].format(**values) if values else self.text[key]

    def number(self, value: float, digits: int) -> str:
        text = f"{value:,.{digits}f}"
        return text.translate({ord(","): "\0", ord("."): self.decimal}).replace("\0", self.thousands)

    def count(self, value: int | None) -> str:
        return "" if value is None else self.number(value, 0)

    def figure(self, value: float | None) -> str:
        """The bare number, for columns whose header gives the unit: '14,8' (nl)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        return self.number(value, 1 if abs(value) >= 1 or value == 0 else 2)

    def value(self, value: float | None, unit: str) -> str:
        """'14,8%' or '5,9 per 1000' (nl); '' for no value (callers say why)."""
        text = self.figure(value)
        if not text:
            return ""
        return f"{text}%" if unit == "%" else f"{text} {unit}"

    def interval(self, lower: float | None, upper: float | None) -> str:
        if lower is None or upper is None:
            return ""
        digits = 1 if min(abs(lower), abs(upper)) >= 1 or lower == 0 else 2
        return f"{self.number(lower, digits)}\u2013{self.number(upper, digits)}"

    def tick(self, value: float) -> str:
        return f"{value:g}".replace(".", self.decimal)

    def comparison(self, code: str | None) -> str:
        return self.comparisons.get(code, code or "")

    def trend(self, code: str | None) -> str:
        return self.trends.get(code, code or "")

    def reason(self, code: str | None) -> str:
        return self.reasons.get(code, code or self.text["not_published"])

    def withheld(self, code: str | None) -> str:
        """'afgeschermd (minder dan 10 gevallen)'; a gemeente that did not answer the questionnaire
        is not withheld: there is no answer, so it reads 'niet beantwoord'."""
        reason = self.reason(code)
        return reason if code == NOT_ANSWERED else self.t("withheld_why", reason=reason)

    def indicator_count(self, count: int) -> str:
        """'1 indicator', '15 indicatoren'."""
        return self.t("indicator_count_one" if count == 1 else "indicator_count", count=self.count(count))

    def nl_summary(self, year: int | str, row: dict, unit: str) -> str:
        """Nederland's published figure of the year as one HTML sentence: value (in <strong>), its
        95% interval when it has one, and the recent trend."""
        interval = self.interval(row["ci95_lower"], row["ci95_upper"])
        return self.t("nl_summary" if interval else "nl_summary_no_ci", year=year, interval=escape(interval),
                      value=escape(self.value(row["value"], unit)),
                      trend=escape(self.trend(row["trend"]) or self.t("trend_not_given")))

    def indicator_name(self, indicator: dict) -> str:
        """An indicator's name in this language (name_nl, name_en) from its row of `indicators`."""
        return indicator.get(f"name_{self.lang}") or indicator["name_en"]

    def indicator_definition(self, indicator: dict) -> str:
        """An indicator's definition in this language from its row of `indicators`: `definition_nl`
        in Dutch, `definition` (English) otherwise, and when a file published before the Dutch
        definitions has none."""
        return indicator.get(f"definition_{self.lang}") or indicator.get("definition") or ""

    def indicator_quality_note(self, indicator: dict) -> str:
        """A caveat to show with an indicator's figures (`quality_note_nl`/`_en` of `indicators`),
        or '' (none, or a file published before the notes)."""
        return indicator.get(f"quality_note_{self.lang}") or indicator.get("quality_note_en") or ""


EN = Words(
    lang="en", decimal=".", thousands=",",
    comparisons={"better": "better", "similar": "similar", "worse": "worse", "higher": "higher",
                 "lower": "lower"},
    trends={
        "increasing_and_getting_worse": "increasing and getting worse",
        "increasing_and_getting_better": "increasing and getting better",
        "decreasing_and_getting_worse": "decreasing and getting worse",
        "decreasing_and_getting_better": "decreasing and getting better",
        "increasing": "increasing", "decreasing": "decreasing",
        "no_significant_change": "no significant change",
        "cannot_be_calculated": "cannot be calculated",
    },
    reasons={
        "numerator_below_10": "fewer than 10 cases",
        "denominator_below_10": "population under 10",
        "complement_below_10": "fewer than 10 non-cases",
        "denominator_unavailable": "population withheld by CBS",
        "denominator_zero": "no records",
        "secondary_suppression": "protects another withheld figure",
        NOT_ANSWERED: "not answered",
    },
    phases={"before_pregnancy": "Before pregnancy", "during_pregnancy": "During pregnancy",
            "after_birth": "After birth"},
    breakdowns={"income_quintile": "Income", "education": "Education",
                "migration_background": "Migration background", "multiple_vulnerability": "Multiply vulnerable family",
                "parity": "Parity", "plurality": "Plurality"},
    text={
        "not_published": "not published", "withheld": "withheld", "withheld_why": "withheld ({reason})",
        "no_figure": "no figure", "ci95": "95% CI", "than_nl": "{comparison} than Nederland",
        "similar_nl": "similar to Nederland", "no_national": "No national figure published for this indicator.",
        "privacy": "withheld (privacy)", "published_value": "published value",
        "below": "below {edge}", "or_more": "{edge} or more", "class_range": "{low} to {high}",
        # the pages' sentences and headings, the same in the report and the site
        "title": "Kansrijke Start monitor {year}",
        "release": "Release {year} v{version} ({released_at}); gemeenten on the {classification} classification; "
                   "{indicators}.",
        "indicator_count": "{count} indicators", "indicator_count_one": "{count} indicator",
        "demo": "Demo: synthetic data. These figures are made up and are not about real gemeenten.",
        "nav_indicators": "Indicators",
        "indicator": "Indicator", "unit": "Unit", "region": "Region", "nederland": "Nederland",
        "value": "Value ({unit})", "ci": "95% CI ({unit})", "ci_plain": "95% CI", "counts": "Cases / population",
        "value_plain": "Value", "compared": "Compared with Nederland", "trend": "Recent trend",
        "nl_by_year": "Nederland by year, with 95% confidence interval",
        "map_none": "No map: no gemeente boundaries for {year}. Run <code>ksm fetch-boundaries --year {year}</code> "
                    "or pass <code>--boundaries FILE.geojson</code>.",
        "map_all_withheld": "No map: every gemeente figure of this period is withheld (privacy) or missing.",
        "map_published": "{published} of {total} gemeenten published; hover a gemeente for its value.",
        "ggd_table": "GGD-regio's, {year}", "gemeenten": "Gemeenten",
        "nl_summary": "Nederland {year}: <strong>{value}</strong> (95% CI {interval}); recent trend: {trend}.",
        "nl_summary_no_ci": "Nederland {year}: <strong>{value}</strong>; recent trend: {trend}.",
        "generated": "Generated {when} from the released marts (published/monitor.duckdb).",
        # the report's own
        "report_intro": "Per indicator: Nederland's yearly figures with their 95% confidence interval (band), a map "
                        "of the gemeenten (the 5-year pooled period when there is one, as small gemeenten rarely "
                        "have a yearly figure) and the GGD-regio's compared with Nederland: {legend} (similar when "
                        "Nederland lies in the region's 95% interval). Figures based on fewer than 10 people are "
                        "withheld and shown as such.",
        "map_values": "Gemeenten, {period}", "pooled": "5-year pooled", "trend_not_given": "not given",
        "profile_title": "{name} ({code}) compared with Nederland, {year}",
    },
)

NL = Words(
    lang="nl", decimal=",", thousands=".",
    comparisons={"better": "beter", "similar": "gelijk", "worse": "slechter", "higher": "hoger",
                 "lower": "lager"},
    trends={
        "increasing_and_getting_worse": "stijgend en slechter",
        "increasing_and_getting_better": "stijgend en beter",
        "decreasing_and_getting_worse": "dalend en slechter",
        "decreasing_and_getting_better": "dalend en beter",
        "increasing": "stijgend", "decreasing": "dalend",
        "no_significant_change": "geen significante verandering",
        "cannot_be_calculated": "niet te berekenen",
    },
    reasons={
        "numerator_below_10": "minder dan 10 gevallen",
        "denominator_below_10": "populatie kleiner dan 10",
        "complement_below_10": "minder dan 10 niet-gevallen",
        "denominator_unavailable": "populatie door CBS afgeschermd",
        "denominator_zero": "geen registraties",
        "secondary_suppression": "beschermt een ander afgeschermd cijfer",
        NOT_ANSWERED: "niet beantwoord",
    },
    phases={"before_pregnancy": "Voor de zwangerschap", "during_pregnancy": "Tijdens de zwangerschap",
            "after_birth": "Na de geboorte"},
    breakdowns={"income_quintile": "Inkomen", "education": "Opleiding",
                "migration_background": "Migratieachtergrond", "multiple_vulnerability": "Meervoudig kwetsbaar gezin",
                "parity": "Pariteit", "plurality": "Eenling of meerling"},
    text={
        "not_published": "niet gepubliceerd", "withheld": "afgeschermd", "withheld_why": "afgeschermd ({reason})",
        "no_figure": "geen cijfer", "ci95": "95%-BI", "than_nl": "{comparison} dan Nederland",
        "similar_nl": "gelijk aan Nederland", "no_national": "Geen landelijk cijfer gepubliceerd voor deze indicator.",
        "privacy": "afgeschermd (privacy)", "published_value": "gepubliceerde waarde",
        "below": "lager dan {edge}", "or_more": "{edge} of hoger", "class_range": "{low} tot {high}",
        # the pages' sentences and headings, the same in the report and the site
        "title": "Kansrijke Start monitor {year}",
        "release": "Release {year} v{version} ({released_at}); gemeenten volgens de indeling van {classification}; "
                   "{indicators}.",
        "indicator_count": "{count} indicatoren", "indicator_count_one": "{count} indicator",
        "demo": "Demo: synthetische gegevens. Deze cijfers zijn verzonnen en gaan niet over echte gemeenten.",
        "nav_indicators": "Indicatoren",
        "indicator": "Indicator", "unit": "Eenheid", "region": "Regio", "nederland": "Nederland",
        "value": "Waarde ({unit})", "ci": "95%-BI ({unit})", "ci_plain": "95%-BI", "counts": "Gevallen / populatie",
        "value_plain": "Waarde", "compared": "Vergeleken met Nederland", "trend": "Recente trend",
        "nl_by_year": "Nederland per jaar, met 95%-betrouwbaarheidsinterval",
        "map_none": "Geen kaart: geen gemeentegrenzen voor {year}. Draai <code>ksm fetch-boundaries --year {year}</code> "
                    "of geef <code>--boundaries BESTAND.geojson</code> mee.",
        "map_all_withheld": "Geen kaart: elk gemeentecijfer van deze periode is afgeschermd (privacy) of ontbreekt.",
        "map_published": "{published} van {total} gemeenten gepubliceerd; wijs een gemeente aan voor haar waarde.",
        "ggd_table": "GGD-regio's, {year}", "gemeenten": "Gemeenten",
        "nl_summary": "Nederland {year}: <strong>{value}</strong> (95%-BI {interval}); recente trend: {trend}.",
        "nl_summary_no_ci": "Nederland {year}: <strong>{value}</strong>; recente trend: {trend}.",
        "generated": "Gemaakt op {when} uit de vrijgegeven gegevens (published/monitor.duckdb).",
        # the report's own
        "report_intro": "Per indicator: de jaarcijfers van Nederland met hun 95%-betrouwbaarheidsinterval (band), "
                        "een kaart van de gemeenten (de vijfjaarsperiode als die er is, omdat kleine gemeenten "
                        "zelden een jaarcijfer hebben) en de GGD-regio's vergeleken met Nederland: {legend} (gelijk "
                        "wanneer Nederland binnen het 95%-interval van de regio ligt). Cijfers die op minder dan "
                        "10 personen berusten, zijn afgeschermd en staan er als zodanig.",
        "map_values": "Gemeenten, {period}", "pooled": "Vijfjaarsperiode", "trend_not_given": "niet gegeven",
        "profile_title": "{name} ({code}) vergeleken met Nederland, {year}",
    },
)

LANGUAGES = {"nl": NL, "en": EN}
