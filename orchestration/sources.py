"""The yearly source extracts: what each delivery holds and how its columns are checked.

One `SourceSpec` per source of the inbox (`inbox/<source>/<year>/*.csv`). The demo generator
writes these columns, the ingest assets validate them, and `docs/sources.md` documents them.
Column names are the Dutch names as delivered; `raw` keeps them, staging renames to English.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # 'text' | 'int' | 'decimal' | 'gemeente' | 'choice'
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class SourceSpec:
    name: str
    description: str
    columns: tuple[Column, ...]
    record_id: str | None = None  # column that must be unique within a year
    year_column: str | None = None  # column that must equal the folder's year
    record_level: bool = True
    # 'yearly': a delivery per monitor year, whose arrival makes the year; 'reference': data
    # every year reads (a classification per year), which never makes a year by itself and is
    # not an input whose change rebuilds the years already released
    kind: str = "yearly"
    extra: dict = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


FLAG = ("0", "1")

PERINED = SourceSpec(
    name="perined",
    description="Perined birth register: one row per child born (live or stillborn from 22 weeks).",
    record_id="kind_id",
    year_column="geboortejaar",
    columns=(
        Column("kind_id", "text", description="pseudonymised child id, unique per year"),
        Column("moeder_id", "text", description="pseudonymised mother id"),
        Column("geboortejaar", "int", minimum=2000, maximum=2100, description="year of birth"),
        Column("gemeente_code", "gemeente", required=False,
               description="mother's gemeente at birth, in that year's classification; '363', '0363' or 'GM0363'"),
        Column("gemeente_code_actueel", "gemeente", required=False,
               description="gemeente of the mother's later address (newest classification); "
                           "delivered for records of gemeenten that were split, used to allocate them"),
        Column("amww", "int", minimum=22, maximum=45, description="gestational age in completed weeks"),
        Column("hoftiezer", "decimal", required=False, minimum=0, maximum=100,
               description="birth-weight percentile for gestational age (Hoftiezer), decimal comma"),
        Column("amddd1ond", "int", required=False, minimum=0, maximum=320,
               description="gestational age in days at the first antenatal visit"),
        Column("sterfte", "int", minimum=0, maximum=5,
               description="0 alive; 1-2 foetal death ante/intra partum; 3 neonatal death 0-7 days; "
                           "4 neonatal death 8-28 days; 5 infant death after day 28"),
        Column("omv", "int", minimum=1, maximum=6, description="number of children in the pregnancy"),
        Column("rangnummer", "int", minimum=1, maximum=6, description="order of the child within the pregnancy"),
        Column("leeftijd_moeder", "int", minimum=10, maximum=60, description="mother's age in years at birth"),
        Column("pariteit", "int", minimum=0, maximum=20, description="number of earlier births of the mother"),
    ),
)

CBS_LINKED = SourceSpec(
    name="cbs_linked",
    description="CBS microdata linked to each Perined birth: household and care flags of the parents.",
    record_id="kind_id",
    year_column="jaar",
    columns=(
        Column("kind_id", "text", description="child id, links to perined.kind_id"),
        Column("jaar", "int", minimum=2000, maximum=2100, description="birth year"),
        Column("inkomen_kwintiel", "int", required=False, minimum=1, maximum=5,
               description="mother's standardised household income quintile; empty = unknown"),
        Column("opleiding_moeder", "choice", choices=("laag", "midden", "hoog", "onbekend"),
               description="mother's highest education level"),
        Column("migratieachtergrond", "choice",
               choices=("nederland", "europa", "buiten_europa", "onbekend"),
               description="mother's migration background"),
        Column("problematische_schulden", "choice", choices=FLAG,
               description="mother or partner with debt restructuring or >= 6 months unpaid premium in the birth year"),
        Column("psychische_problemen", "choice", choices=FLAG,
               description="a parent with mental-health-care costs or anxiety/depression medication in the birth year"),
        Column("meervoudig_kwetsbaar", "choice", required=False, choices=FLAG,
               description="flagged by the prediction model for multiple vulnerability; empty = no prediction"),
    ),
)

VEKTIS = SourceSpec(
    name="vektis",
    description="Vektis health-insurance claims: maternity home care (kraamzorg) after each live birth.",
    record_id="kind_id",
    year_column="jaar",
    columns=(
        Column("kind_id", "text", description="child id, links to perined.kind_id"),
        Column("jaar", "int", minimum=2000, maximum=2100, description="birth year"),
        Column("kraamzorg_declaratie", "choice", choices=FLAG, description="a kraamzorg claim after delivery"),
        Column("lange_opname", "choice", choices=FLAG,
               description="probable long hospital stay of mother or child (excluded from the indicator)"),
    ),
)

YOUTH_PROTECTION = SourceSpec(
    name="youth_protection",
    description="CBS youth-care statistics: children aged 0-1 with a youth-protection measure in the year.",
    record_id="kind_id",
    year_column="jaar",
    columns=(
        Column("kind_id", "text", description="pseudonymised child id"),
        Column("jaar", "int", minimum=2000, maximum=2100, description="reporting year"),
        Column("gemeente_code", "gemeente", required=False, description="child's gemeente on 1 January"),
        Column("leeftijd", "int", minimum=0, maximum=1, description="age in years"),
        Column("residentieel_overlap", "choice", choices=FLAG,
               description="the measure overlapped residential youth care at some time in the year"),
    ),
)

POPULATION = SourceSpec(
    name="population",
    description="CBS StatLine population on 1 January by gemeente and age (ages 0 and 1), as exported from OData.",
    record_level=False,
    columns=(
        Column("RegioS", "gemeente", description="region key, right-padded ('GM0363    ')"),
        Column("Perioden", "text", description="period code, e.g. '2023JJ00'"),
        Column("Leeftijd", "int", minimum=0, maximum=1, description="age in years"),
        Column("BevolkingOp1Januari_1", "int", required=False, minimum=0, maximum=100000,
               description="persons on 1 January; empty when CBS suppressed the cell"),
    ),
)

QUESTIONNAIRE = SourceSpec(
    name="questionnaire",
    description="Yearly municipal questionnaire on the local Kansrijke Start approach; one row per gemeente asked.",
    record_level=False,
    record_id="gemeente_code",
    year_column="jaar",
    columns=(
        Column("jaar", "int", minimum=2000, maximum=2100, description="questionnaire year"),
        Column("gemeente_code", "gemeente", description="gemeente asked"),
        Column("gemeentenaam", "text", required=False, description="name as filled in"),
        Column("coalitie", "choice", required=False, choices=("ja", "nee"),
               description="a local Kansrijke Start coalition; empty = did not answer"),
        Column("actieplan", "choice", required=False, choices=("ja", "nee"), description="an action plan"),
        Column("prenataal_huisbezoek", "choice", required=False, choices=("ja", "nee"),
               description="youth health care offers prenatal home visits"),
        Column("nu_niet_zwanger", "choice", required=False, choices=("ja", "nee"),
               description="Nu Niet Zwanger is available"),
    ),
)

REGIONS = SourceSpec(
    name="regions",
    description="CBS 'Gebieden in Nederland': per classification year every gemeente with its GGD-regio and "
                "provincie, plus the list of mergers (herindelingen.csv). Read by its own loader "
                "(orchestration.assets.ingest.regions), which finds the columns by their titles.",
    record_level=False,
    kind="reference",
    columns=(),
)

# The source registry: every folder of the inbox, one folder per year in each.
SOURCES: dict[str, SourceSpec] = {
    spec.name: spec
    for spec in (PERINED, CBS_LINKED, VEKTIS, YOUTH_PROTECTION, POPULATION, QUESTIONNAIRE, REGIONS)
}
YEARLY_SOURCES: dict[str, SourceSpec] = {name: spec for name, spec in SOURCES.items() if spec.kind == "yearly"}
REFERENCE_SOURCES: dict[str, SourceSpec] = {name: spec for name, spec in SOURCES.items() if spec.kind == "reference"}
ALL_SOURCES = list(SOURCES)
REGIONS_SOURCE = REGIONS.name
