"""The site's own sentences and headings, in Dutch and English (numbers and the comparison and
trend words come from `orchestration.report.i18n`)."""

from __future__ import annotations

TEXT = {
    "nl": {
        "title": "Kansrijke Start monitor {year}",
        "release": "Release {year} v{version} ({released_at}); gemeenten volgens de indeling van {classification}; "
                   "{indicators} indicatoren.",
        "demo": "Demo: synthetische gegevens. Deze cijfers zijn verzonnen en gaan niet over echte gemeenten.",
        "nav_overview": "Overzicht", "nav_areas": "Gemeenten en GGD-regio's", "nav_indicators": "Indicatoren",
        "search_label": "Zoek een gemeente (naam of code)", "search_button": "Zoek",
        "search_none": "Geen gemeente gevonden voor \u201c{query}\u201d.",
        "merged": "{old_code} {old_name} bestaat niet meer: in de indeling van {year} hoort het bij {new_name} ({new_code}).",
        "merged_split": "{old_code} {old_name} bestaat niet meer: in de indeling van {year} verdeeld over {new_names}.",
        "overview_intro": "Elke indicator per GGD-regio vergeleken met Nederland in {year}: groen is beter, geel "
                          "gelijk (Nederland ligt binnen het 95%-betrouwbaarheidsinterval van de regio) en rood "
                          "slechter. Grijs gearceerd: afgeschermd, omdat het cijfer op minder dan 10 personen berust.",
        "indicator": "Indicator", "unit": "Eenheid", "period": "Periode", "region": "Regio",
        "value": "Waarde ({unit})", "ci": "95%-BI ({unit})", "ci_plain": "95%-BI", "counts": "Gevallen / populatie",
        "compared": "Vergeleken met Nederland", "trend": "Recente trend", "nederland": "Nederland",
        "value_plain": "Waarde", "range": "Spreiding gemeenten", "range_ggd": "Spreiding GGD-regio's",
        "nl_by_year": "Nederland per jaar, met 95%-betrouwbaarheidsinterval",
        "map_title": "Gemeenten, {period}: vergeleken met Nederland",
        "map_none": "Geen kaart: geen gemeentegrenzen voor {year}. Draai <code>ksm fetch-boundaries --year {year}</code> "
                    "of geef <code>--boundaries BESTAND.geojson</code> mee.",
        "map_ggd_title": "GGD-regio's, {year}: vergeleken met Nederland",
        "funnel_title": "Kaart met trechtergrenzen (99,8%)",
        "funnel_note": "Een gemeente is hier beter of slechter dan Nederland wanneer haar cijfer buiten de 99,8%-grenzen "
                       "valt die toeval rond het landelijke cijfer bij haar aantal geboorten zou geven (een trechterplot): "
                       "strenger dan de vergelijking met het 95%-interval, zodat kleine gemeenten minder vaak opvallen.",
        "map_ggd_note": "Slechts {published} van {total} gemeentecijfers zijn gepubliceerd (de rest is afgeschermd); "
                        "daarom kleurt de kaart elke gemeente naar haar GGD-regio.",
        "map_all_withheld": "Geen kaart: elk gemeentecijfer van deze periode is afgeschermd (privacy) of ontbreekt.",
        "map_published": "{published} van {total} gemeenten gepubliceerd; wijs een gemeente aan voor haar waarde.",
        "ggd_table": "GGD-regio's, {year}", "provincie_table": "Provincies, {year}",
        "gemeenten_table": "Alle gemeenten, {period}",
        "breakdowns": "Uitsplitsingen, Nederland {year}", "no_breakdowns": "Geen uitsplitsingen voor deze indicator.",
        "sii": "Ongelijkheidshelling (SII): het verschil tussen de hoogste en de laagste inkomensgroep volgens de "
               "regressielijn door de vijf inkomensgroepen (hoogste min laagste): {value} (95%-BI {lower} tot {upper}).",
        "sii_unit_percent": "procentpunt",
        "sii_withheld": "Ongelijkheidshelling (SII): afgeschermd, omdat niet alle vijf inkomensgroepen gepubliceerd zijn.",
        "nl_summary": "Nederland {year}: <strong>{value}</strong> (95%-BI {interval}); recente trend: {trend}.",
        "profile_of": "{name}: profiel {year}", "gemeente_in": "Gemeente in GGD-regio {ggd} en provincie {provincie}.",
        "ggd_of": "GGD-regio met {count} gemeenten.",
        "spine_intro": "Per indicator de waarde van {name} (stip, gekleurd naar de vergelijking met Nederland) "
                       "tegenover de spreiding van alle {level} (balk; de middelste helft donkerder). Nederland "
                       "staat in het midden; links slechter, rechts beter.",
        "level_gemeente": "gemeenten", "level_ggd_regio": "GGD-regio's",
        "trends_title": "Trends: {name} naast Nederland", "locator": "{name} op de kaart",
        "gemeenten_of": "Gemeenten in {name}", "all_areas": "Alle gemeenten en GGD-regio's",
        "gemeenten": "Gemeenten", "ggd_regios": "GGD-regio's",
        "generated": "Gemaakt op {when} uit de vrijgegeven gegevens (published/monitor.duckdb).",
        "phase": "Fase", "provincie_name": "Provincie {name}",
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
        "title": "Kansrijke Start monitor {year}",
        "release": "Release {year} v{version} ({released_at}); gemeenten on the {classification} classification; "
                   "{indicators} indicators.",
        "demo": "Demo: synthetic data. These figures are made up and are not about real gemeenten.",
        "nav_overview": "Overview", "nav_areas": "Gemeenten and GGD-regio's", "nav_indicators": "Indicators",
        "search_label": "Find a gemeente (name or code)", "search_button": "Find",
        "search_none": "No gemeente found for \u201c{query}\u201d.",
        "merged": "{old_code} {old_name} no longer exists: in the {year} classification it is part of {new_name} ({new_code}).",
        "merged_split": "{old_code} {old_name} no longer exists: in the {year} classification it is split over {new_names}.",
        "overview_intro": "Every indicator per GGD-regio compared with Nederland in {year}: green is better, "
                          "yellow similar (Nederland lies in the region's 95% confidence interval) and red worse. "
                          "Grey hatching: withheld, as the figure rests on fewer than 10 people.",
        "indicator": "Indicator", "unit": "Unit", "period": "Period", "region": "Region",
        "value": "Value ({unit})", "ci": "95% CI ({unit})", "ci_plain": "95% CI", "counts": "Cases / population",
        "compared": "Compared with Nederland", "trend": "Recent trend", "nederland": "Nederland",
        "value_plain": "Value", "range": "Range of gemeenten", "range_ggd": "Range of GGD-regio's",
        "nl_by_year": "Nederland by year, with 95% confidence interval",
        "map_title": "Gemeenten, {period}: compared with Nederland",
        "map_none": "No map: no gemeente boundaries for {year}. Run <code>ksm fetch-boundaries --year {year}</code> "
                    "or pass <code>--boundaries FILE.geojson</code>.",
        "map_ggd_title": "GGD-regio's, {year}: compared with Nederland",
        "funnel_title": "Map with funnel-plot limits (99.8%)",
        "funnel_note": "Here a gemeente is better or worse than Nederland when its figure lies outside the 99.8% limits "
                       "that chance would give around the national figure at its population size (a funnel plot): "
                       "stricter than the comparison with the 95% interval, so small gemeenten stand out less often.",
        "map_ggd_note": "Only {published} of {total} gemeente figures are published (the rest is withheld), so the map "
                        "colours every gemeente by its GGD-regio.",
        "map_all_withheld": "No map: every gemeente figure of this period is withheld (privacy) or missing.",
        "map_published": "{published} of {total} gemeenten published; hover a gemeente for its value.",
        "ggd_table": "GGD-regio's, {year}", "provincie_table": "Provincies, {year}",
        "gemeenten_table": "All gemeenten, {period}",
        "breakdowns": "Breakdowns, Nederland {year}", "no_breakdowns": "No breakdowns for this indicator.",
        "sii": "Slope index of inequality (SII): the difference between the highest and the lowest income group "
               "along the regression line through the five income groups (highest minus lowest): {value} "
               "(95% CI {lower} to {upper}).",
        "sii_unit_percent": "percentage points",
        "sii_withheld": "Slope index of inequality (SII): withheld, as not all five income groups are published.",
        "nl_summary": "Nederland {year}: <strong>{value}</strong> (95% CI {interval}); recent trend: {trend}.",
        "profile_of": "{name}: profile {year}", "gemeente_in": "Gemeente in GGD-regio {ggd} and provincie {provincie}.",
        "ggd_of": "GGD-regio of {count} gemeenten.",
        "spine_intro": "Per indicator the value of {name} (dot, coloured by the comparison with Nederland) against "
                       "the range of all {level} (bar; the middle half darker). Nederland is in the middle; worse "
                       "on the left, better on the right.",
        "level_gemeente": "gemeenten", "level_ggd_regio": "GGD-regio's",
        "trends_title": "Trends: {name} beside Nederland", "locator": "{name} on the map",
        "gemeenten_of": "Gemeenten in {name}", "all_areas": "All gemeenten and GGD-regio's",
        "gemeenten": "Gemeenten", "ggd_regios": "GGD-regio's",
        "generated": "Generated {when} from the released marts (published/monitor.duckdb).",
        "phase": "Phase", "provincie_name": "Provincie {name}",
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
