"""The site's own sentences and headings, in Dutch and English. Numbers, the comparison and
trend words and the sentences and headings the site shares with the report (title, release line,
demo banner, table headings, map notes, ...) come from `orchestration.report.i18n`: `TEXT` holds both."""

from __future__ import annotations

from orchestration.report.i18n import LANGUAGES

_SITE_TEXT = {
    "nl": {
        "nav_overview": "Overzicht", "nav_areas": "Gemeenten en GGD-regio's",
        "search_label": "Zoek een gemeente (naam of code)", "search_button": "Zoek",
        "search_none": "Geen gemeente gevonden voor \u201c{query}\u201d.",
        "merged": "{old_code} {old_name} bestaat niet meer: in de indeling van {year} hoort het bij {new_name} ({new_code}).",
        "merged_split": "{old_code} {old_name} bestaat niet meer: in de indeling van {year} verdeeld over {new_names}.",
        "overview_intro": "Elke indicator per GGD-regio vergeleken met Nederland in {year}: groen is beter, geel "
                          "gelijk (Nederland ligt binnen het 95%-betrouwbaarheidsinterval van de regio) en rood "
                          "slechter. Grijs gearceerd: afgeschermd, omdat het cijfer op minder dan 10 personen berust.",
        "period": "Periode", "range": "Spreiding gemeenten", "range_ggd": "Spreiding GGD-regio's",
        "map_title": "Gemeenten, {period}: vergeleken met Nederland",
        "map_ggd_title": "GGD-regio's, {year}: vergeleken met Nederland",
        "funnel_title": "Kaart met trechtergrenzen (99,8%)",
        "funnel_note": "Een gemeente is hier beter of slechter dan Nederland wanneer haar cijfer buiten de 99,8%-grenzen "
                       "valt die toeval rond het landelijke cijfer bij haar aantal geboorten zou geven (een trechterplot): "
                       "strenger dan de vergelijking met het 95%-interval, zodat kleine gemeenten minder vaak opvallen.",
        "map_ggd_note": "Slechts {published} van {total} gemeentecijfers zijn gepubliceerd (de rest is afgeschermd); "
                        "daarom kleurt de kaart elke gemeente naar haar GGD-regio.",
        "provincie_table": "Provincies, {year}",
        "gemeenten_table": "Alle gemeenten, {period}",
        "breakdowns": "Uitsplitsingen, Nederland {year}", "no_breakdowns": "Geen uitsplitsingen voor deze indicator.",
        "sii": "Ongelijkheidshelling (SII): het verschil tussen de hoogste en de laagste inkomensgroep volgens de "
               "regressielijn door de vijf inkomensgroepen (hoogste min laagste): {value} (95%-BI {lower} tot {upper}).",
        "sii_unit_percent": "procentpunt",
        "sii_withheld": "Ongelijkheidshelling (SII): afgeschermd, omdat niet alle vijf inkomensgroepen gepubliceerd zijn.",
        "profile_of": "{name}: profiel {year}", "gemeente_in": "Gemeente in GGD-regio {ggd} en provincie {provincie}.",
        "ggd_of": "GGD-regio met {count} gemeenten.",
        "spine_intro": "Per indicator de waarde van {name} (stip, gekleurd naar de vergelijking met Nederland) "
                       "tegenover de spreiding van alle {level} (balk; de middelste helft donkerder). Nederland "
                       "staat in het midden; links slechter, rechts beter.",
        "level_gemeente": "gemeenten", "level_ggd_regio": "GGD-regio's",
        "trends_title": "Trends: {name} naast Nederland", "locator": "{name} op de kaart",
        "gemeenten_of": "Gemeenten in {name}", "all_areas": "Alle gemeenten en GGD-regio's",
        "ggd_regios": "GGD-regio's",
        "phase": "Fase", "provincie_name": "Provincie {name}",
        "worse_and_worsening": "slechter en verslechterend",
        "ww_legend": "Een ! betekent slechter en verslechterend: slechter dan Nederland en een recente trend die "
                     "verslechtert.",
        "changes_title": "Wat is er veranderd in versie {version}",
        "changes_first": "De eerste versie van {year}.",
        "changes_none": "Geen cijfers veranderd ten opzichte van de vorige versie.",
        "changes_indicator": "{changed} waarden herzien, {added} rijen erbij, {removed} rijen vervallen.",
        "changes_national": "Het landelijke cijfer is veranderd.",
        "changes_cells": "{withheld} cijfers nu afgeschermd, {published} nu gepubliceerd.",
        "changes_classification": "Alle cijfers staan nu op een nieuwere gemeentelijke indeling ({change}).",
        "changes_inputs": "Gewijzigde bronbestanden:",
        "downloads": "Download de cijfers van {year} (totalen en uitsplitsingen): {csv} (puntkomma's, decimale komma's) "
                     "of {xlsx}.",
    },
    "en": {
        "nav_overview": "Overview", "nav_areas": "Gemeenten and GGD-regio's",
        "search_label": "Find a gemeente (name or code)", "search_button": "Find",
        "search_none": "No gemeente found for \u201c{query}\u201d.",
        "merged": "{old_code} {old_name} no longer exists: in the {year} classification it is part of {new_name} ({new_code}).",
        "merged_split": "{old_code} {old_name} no longer exists: in the {year} classification it is split over {new_names}.",
        "overview_intro": "Every indicator per GGD-regio compared with Nederland in {year}: green is better, "
                          "yellow similar (Nederland lies in the region's 95% confidence interval) and red worse. "
                          "Grey hatching: withheld, as the figure rests on fewer than 10 people.",
        "period": "Period", "range": "Range of gemeenten", "range_ggd": "Range of GGD-regio's",
        "map_title": "Gemeenten, {period}: compared with Nederland",
        "map_ggd_title": "GGD-regio's, {year}: compared with Nederland",
        "funnel_title": "Map with funnel-plot limits (99.8%)",
        "funnel_note": "Here a gemeente is better or worse than Nederland when its figure lies outside the 99.8% limits "
                       "that chance would give around the national figure at its population size (a funnel plot): "
                       "stricter than the comparison with the 95% interval, so small gemeenten stand out less often.",
        "map_ggd_note": "Only {published} of {total} gemeente figures are published (the rest is withheld), so the map "
                        "colours every gemeente by its GGD-regio.",
        "provincie_table": "Provincies, {year}",
        "gemeenten_table": "All gemeenten, {period}",
        "breakdowns": "Breakdowns, Nederland {year}", "no_breakdowns": "No breakdowns for this indicator.",
        "sii": "Slope index of inequality (SII): the difference between the highest and the lowest income group "
               "along the regression line through the five income groups (highest minus lowest): {value} "
               "(95% CI {lower} to {upper}).",
        "sii_unit_percent": "percentage points",
        "sii_withheld": "Slope index of inequality (SII): withheld, as not all five income groups are published.",
        "profile_of": "{name}: profile {year}", "gemeente_in": "Gemeente in GGD-regio {ggd} and provincie {provincie}.",
        "ggd_of": "GGD-regio of {count} gemeenten.",
        "spine_intro": "Per indicator the value of {name} (dot, coloured by the comparison with Nederland) against "
                       "the range of all {level} (bar; the middle half darker). Nederland is in the middle; worse "
                       "on the left, better on the right.",
        "level_gemeente": "gemeenten", "level_ggd_regio": "GGD-regio's",
        "trends_title": "Trends: {name} beside Nederland", "locator": "{name} on the map",
        "gemeenten_of": "Gemeenten in {name}", "all_areas": "All gemeenten and GGD-regio's",
        "ggd_regios": "GGD-regio's",
        "phase": "Phase", "provincie_name": "Provincie {name}",
        "worse_and_worsening": "worse and worsening",
        "ww_legend": "A ! means worse and worsening: worse than Nederland and a recent trend that is getting worse.",
        "changes_title": "What changed in version {version}",
        "changes_first": "The first version of {year}.",
        "changes_none": "No figures changed against the previous version.",
        "changes_indicator": "{changed} values revised, {added} rows added, {removed} rows removed.",
        "changes_national": "The national figure changed.",
        "changes_cells": "{withheld} figures now withheld, {published} now published.",
        "changes_classification": "Every figure is now on a newer gemeente classification ({change}).",
        "changes_inputs": "Changed source files:",
        "downloads": "Download the {year} figures (totals and breakdowns): {csv} (Dutch convention: semicolons, "
                     "decimal commas) or {xlsx}.",
    },
}


def _with_shared(lang: str) -> dict[str, str]:
    shared = LANGUAGES[lang].text
    clash = sorted(set(shared) & set(_SITE_TEXT[lang]))
    assert not clash, f"the site's own texts repeat shared keys of report.i18n: {clash}"
    return {**shared, **_SITE_TEXT[lang]}


TEXT = {lang: _with_shared(lang) for lang in _SITE_TEXT}
