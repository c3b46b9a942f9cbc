"""Import Epoch AI's model tables and Benchmarking Hub runs.

Input: any of the CSV files Epoch AI publishes (Notable AI Models, Large-Scale AI Models, the
Benchmarking Hub's runs, model versions and organizations). A file's kind is told by its header,
and every value is read by column **name**, never by position: names drift between releases
(``Country (of organization)`` vs ``Country (from Organization)``), so each field lists the names
it has had (:data:`COLUMNS`).

Mapping (Epoch AI, "Data on AI Models", column documentation at https://epoch.ai/data/ai-models):

=============================  ==================================================================
``Model``                      ``schema:name`` and ``aikg:epochName`` (join key)
``Organization``               ``schema:creator`` (comma-separated; one organization node each)
``Country (of organization)``  the organizations' ``schema:addressCountry`` (Wikidata IRIs), from
                               the organizations table; a row's countries that no known
                               organization explains go to its one unknown organization
``Publication date``           ``schema:datePublished`` (xsd:date, gYearMonth or gYear)
``Parameters``                 ``aikg:totalParameters`` (a count); a count that disagrees with the
                               size in the model's name by more than 2x gets a quality warning
``Training compute (FLOP)``    ``aikg:trainingCompute`` (xsd:double, FLOP)
``Domain`` / ``Task``          ``aikg:modality`` (:data:`MODALITY`)
``Model accessibility``        ``aikg:accessibility`` (:data:`ACCESSIBILITY`); the 2026 column
                               ``Open model weights?`` = Yes gives ``aikg:OpenWeights`` when the
                               accessibility is blank
``Base model``                 ``aikg:basedOn`` + ``aikg:derivationType aikg:FineTune`` (one base)
``Link``                       ``schema:url`` (reference links, not an identity key)
file                           ``aikg:listedIn`` the Notable or Large-Scale list
runs (Benchmarking Hub)        ``aikg:BenchmarkResult``: ``aikg:selfReported false``, score in
                               percent (``Best score (across scorers)`` x 100), model version id
=============================  ==================================================================

A row without a model name or an organization, or with a value that does not parse, is
malformed: it is skipped (``strict``: the import fails). A benchmark run whose model is in no
model table is skipped as unresolved.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from kg.errors import LoadError
from kg.ingest.importers.batch import (
    DCT_SOURCE,
    BadRow,
    ImportBatch,
    SourceInfo,
    Track,
    input_files,
    no_progress,
    read_text,
)
from kg.ingest.importers.matching import Resolver, name_size
from kg.namespaces import AIKG, ID, PREFIXES, SCHEMA, WD
from kg.terms import boolean, decimal, double, integer, iri, text

__all__ = ["ACCESSIBILITY", "COLUMNS", "COUNTRIES", "MODALITY", "SOURCE", "read"]

SOURCE = SourceInfo(
    key="epoch",
    title="Epoch AI: Data on AI Models (Notable, Large-Scale) and AI Benchmarking Hub",
    publisher="Epoch AI",
    publisher_url="https://epoch.ai",
    license="http://spdx.org/licenses/CC-BY-4.0",
    homepage="https://epoch.ai/data/ai-models",
    citation="Epoch AI, 'Data on AI Models'. Published online at epoch.ai. Retrieved from https://epoch.ai/data/ai-models",
    importer_version="1",
)

NOTABLE = "https://epoch.ai/data/notable-ai-models"
LARGE_SCALE = "https://epoch.ai/data/large-scale-ai-models"
BENCHMARKING_HUB = "https://epoch.ai/data/ai-benchmarking-dashboard"

COLUMNS: dict[str, tuple[str, ...]] = {
    "model": ("Model", "System"),
    "organization": ("Organization", "Organization(s)"),
    "date": ("Publication date",),
    "domain": ("Domain",),
    "task": ("Task",),
    "parameters": ("Parameters",),
    "compute": ("Training compute (FLOP)",),
    "country": (
        "Country (of organization)",
        "Country (from Organization)",
        "Country (of organization) (from Organization)",
    ),
    "category": ("Organization categorization", "Organization categorization (from Organization)"),
    "accessibility": ("Model accessibility",),
    "open_weights": ("Open model weights?",),
    "base": ("Base model",),
    "link": ("Link",),
    "run_id": ("id",),
    "run_task": ("task", "Task"),
    "run_model": ("model", "Model version"),
    "run_score": ("Best score (across scorers)", "Best score"),
    "run_log": ("log viewer", "Log viewer"),
    "version_id": ("id",),
    "version_model": ("Model",),
    "version_hf": ("Hugging Face developer id",),
    "org_name": ("Organization",),
    "org_country": ("Country",),
    "org_category": ("Organization categorization",),
}
"""Field -> the column names it has had in Epoch AI releases (first found wins)."""

ACCESSIBILITY: dict[str, str] = {
    "open weights (unrestricted)": str(AIKG.OpenWeightsUnrestricted),
    "open weights (restricted use)": str(AIKG.OpenWeightsRestricted),
    "open weights (non-commercial)": str(AIKG.OpenWeightsNonCommercial),
    "api access": str(AIKG.APIAccess),
    "hosted access (no api)": str(AIKG.HostedAccess),
    "unreleased": str(AIKG.Unreleased),
}
"""Epoch ``Model accessibility`` value (case-folded) -> concept of aikg:AccessibilityScheme."""

MODALITY: dict[str, tuple[str, ...]] = {
    "language": (str(AIKG.Text),),
    "vision": (str(AIKG.Image),),
    "image generation": (str(AIKG.Image),),
    "multimodal": (str(AIKG.Multimodal),),
    "speech": (str(AIKG.Speech),),
    "audio": (str(AIKG.Audio),),
    "video": (str(AIKG.Video),),
    "language modeling/generation": (str(AIKG.Text),),
    "language modeling": (str(AIKG.Text),),
    "language generation": (str(AIKG.Text),),
    "chat": (str(AIKG.Text),),
    "question answering": (str(AIKG.Text),),
    "translation": (str(AIKG.Text),),
    "text summarization": (str(AIKG.Text),),
    "code generation": (str(AIKG.Code),),
    "code autocompletion": (str(AIKG.Code),),
    "visual question answering": (str(AIKG.Image), str(AIKG.Text)),
    "image captioning": (str(AIKG.Image), str(AIKG.Text)),
    "text-to-image": (str(AIKG.Image),),
    "video generation": (str(AIKG.Video),),
    "speech recognition": (str(AIKG.Speech),),
    "speech synthesis": (str(AIKG.Speech),),
    "audio generation": (str(AIKG.Audio),),
}
"""Epoch ``Domain`` or ``Task`` value (case-folded) -> modality concepts; other domains
(Biology, Games, Robotics…) say what a model is for, not what it reads or writes."""

COUNTRIES: dict[str, tuple[str, str]] = {
    "United States of America": ("Q30", "US"),
    "China": ("Q148", "CN"),
    "United Kingdom of Great Britain and Northern Ireland": ("Q145", "GB"),
    "Canada": ("Q16", "CA"),
    "France": ("Q142", "FR"),
    "Switzerland": ("Q39", "CH"),
    "Germany": ("Q183", "DE"),
    "Korea (Republic of)": ("Q884", "KR"),
    "Israel": ("Q801", "IL"),
    "Hong Kong": ("Q8646", "HK"),
    "Japan": ("Q17", "JP"),
    "Singapore": ("Q334", "SG"),
    "Australia": ("Q408", "AU"),
    "Netherlands": ("Q55", "NL"),
    "Saudi Arabia": ("Q851", "SA"),
    "Czechia": ("Q213", "CZ"),
    "Finland": ("Q33", "FI"),
    "India": ("Q668", "IN"),
    "United Arab Emirates": ("Q878", "AE"),
    "Austria": ("Q40", "AT"),
    "Belgium": ("Q31", "BE"),
    "Poland": ("Q36", "PL"),
    "Sweden": ("Q34", "SE"),
    "Spain": ("Q29", "ES"),
    "Taiwan": ("Q865", "TW"),
    "Ireland": ("Q27", "IE"),
    "Iran (Islamic Republic of)": ("Q794", "IR"),
    "Italy": ("Q38", "IT"),
    "Norway": ("Q20", "NO"),
    "Russia": ("Q159", "RU"),
    "Argentina": ("Q414", "AR"),
    "Denmark": ("Q35", "DK"),
    "Vietnam": ("Q881", "VN"),
    "Brazil": ("Q155", "BR"),
    "Luxembourg": ("Q32", "LU"),
    "Thailand": ("Q869", "TH"),
    "New Zealand": ("Q664", "NZ"),
    "Lebanon": ("Q822", "LB"),
    "Greece": ("Q41", "GR"),
    "Armenia": ("Q399", "AM"),
    "Portugal": ("Q45", "PT"),
    "Turkey": ("Q43", "TR"),
    "Egypt": ("Q79", "EG"),
    "Nigeria": ("Q1033", "NG"),
    "Qatar": ("Q846", "QA"),
    "Chile": ("Q298", "CL"),
    "Mexico": ("Q96", "MX"),
    "Indonesia": ("Q252", "ID"),
    "Malaysia": ("Q833", "MY"),
    "Pakistan": ("Q843", "PK"),
    "Ukraine": ("Q212", "UA"),
    "Hungary": ("Q28", "HU"),
    "Estonia": ("Q191", "EE"),
    "Slovenia": ("Q215", "SI"),
    "Romania": ("Q218", "RO"),
    "South Africa": ("Q258", "ZA"),
    "Kenya": ("Q114", "KE"),
    "Colombia": ("Q739", "CO"),
}
"""Epoch country name -> (Wikidata id, ISO 3166-1 alpha-2). "Multinational" names no country."""

_NOT_A_COUNTRY = {"multinational", ""}
_SPLIT = re.compile(r"\s*,\s*")
_URLS = re.compile(r"(?:https?://|www\.)[^\s,;]+")


# ---------------------------------------------------------------------------------- CSV reading
@dataclass(slots=True)
class _Table:
    path: Path
    kind: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]

    def column(self, field: str) -> str | None:
        return next((c for c in COLUMNS[field] if c in self.header), None)


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    raw = read_text(path)
    reader = csv.reader(io.StringIO(raw, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise LoadError(path.name, "empty file: no header row") from exc
    except csv.Error as exc:
        raise LoadError(path.name, f"CSV syntax: {exc}", reader.line_num) from exc
    header = [h.strip() for h in header]
    rows: list[tuple[int, dict[str, str]]] = []
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise LoadError(path.name, f"CSV syntax: {exc}", reader.line_num) from exc
        if values:
            row = dict(zip(header, values, strict=False))
            if len(values) != len(header):
                row["\x00fields"] = f"{len(values)} fields where the header has {len(header)}"
            rows.append((start, row))
        start = reader.line_num + 1
    return header, rows


def _kind(header: list[str]) -> str | None:
    names = set(header)
    if {"Model", "Publication date"} <= names or {"System", "Publication date"} <= names:
        return "models"
    if "id" in names and any(c in names for c in COLUMNS["run_score"]):
        return "runs"
    if {"id", "Model"} <= names and "Version release date" in names:
        return "versions"
    if "Organization" in names and "Country" in names:
        return "organizations"
    return None


def _csv_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv")


# ---------------------------------------------------------------------------------- value parsing
def _date(value: str, column: str) -> ox.Literal | None:
    value = value.strip()
    if not value:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            date.fromisoformat(value)
            return ox.Literal(value, datatype=ox.NamedNode(PREFIXES["xsd"] + "date"))
        if re.fullmatch(r"\d{4}-\d{2}", value) and 1 <= int(value[5:]) <= 12:
            return ox.Literal(value, datatype=ox.NamedNode(PREFIXES["xsd"] + "gYearMonth"))
        if re.fullmatch(r"\d{4}", value):
            return ox.Literal(value, datatype=ox.NamedNode(PREFIXES["xsd"] + "gYear"))
    except ValueError:
        pass
    raise BadRow(column, f"{value!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")


def _number(value: str, column: str) -> float | None:
    value = value.strip().replace(",", "")
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise BadRow(column, f"{value!r} is not a number") from None
    if not number > 0 or number == float("inf"):
        raise BadRow(column, f"{value!r} is not a positive number")
    return number


def _cell(row: dict[str, str], column: str | None) -> str:
    return (row.get(column) or "").strip() if column else ""


# ---------------------------------------------------------------------------------- import
@dataclass(slots=True)
class _ModelRow:
    file: str
    line: int
    listed_in: str
    name: str
    orgs: list[str]
    countries: list[str]
    categories: list[str]
    date: ox.Literal | None
    params: float | None
    compute: float | None
    accessibility: str | None
    modalities: list[str]
    bases: list[str]
    links: list[str]


def read(paths: Sequence[Path], resolver: Resolver, track: Track = no_progress) -> ImportBatch:
    """Read Epoch AI CSV files into an import batch.

    Parameters
    ----------
    paths : sequence of pathlib.Path
        CSV files or folders of them (``*.csv``); each file's kind is told by its header.
    resolver : Resolver
        Entity resolution against the graph.
    track : callable, optional
        Progress reporter, ``track(iterable, description, total)``.

    Returns
    -------
    ImportBatch
        Triples, counts (``rows_read``, ``models``, ``new_models``, ``organizations``,
        ``benchmark_results``, ``rows_skipped``) and issues.

    Raises
    ------
    LoadError
        If a file is missing, is not UTF-8 CSV, or is no Epoch AI table.

    References
    ----------
    .. [1] Epoch AI, "Data on AI Models", https://epoch.ai/data/ai-models (CC BY 4.0).
    """
    batch = ImportBatch(SOURCE)
    tables: list[_Table] = []
    for path in input_files(paths, _csv_files, "CSV file"):
        header, rows = _read_csv(path)
        kind = _kind(header)
        if kind is None:
            raise LoadError(
                path.name,
                "not an Epoch AI table: its header has no Model/Publication date, run or organization columns",
                1,
            )
        tables.append(_Table(path, kind, header, rows))
        batch.read_file(path, kind, len(rows))
    org_table = _organizations(tables)
    versions = _versions(tables)
    parsed = [r for t in tables if t.kind == "models" for r in _parse_models(t, batch, track)]
    _emit_models(parsed, org_table, batch, resolver, track)
    for table in (t for t in tables if t.kind == "runs"):
        _emit_runs(table, versions, batch, resolver, track)
    return batch.finish(resolver, benchmark_results=str(AIKG.BenchmarkResult))


def _organizations(tables: list[_Table]) -> dict[str, tuple[list[str], list[str]]]:
    out: dict[str, tuple[list[str], list[str]]] = {}
    for table in (t for t in tables if t.kind == "organizations"):
        name_col, country_col, cat_col = (table.column(f) for f in ("org_name", "org_country", "org_category"))
        for _line, row in table.rows:
            name = _cell(row, name_col)
            if name:
                out[name] = (_split(_cell(row, country_col)), _split(_cell(row, cat_col)))
    return out


def _versions(tables: list[_Table]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for table in (t for t in tables if t.kind == "versions"):
        id_col, model_col, hf_col = (table.column(f) for f in ("version_id", "version_model", "version_hf"))
        for _line, row in table.rows:
            vid = _cell(row, id_col)
            if vid:
                out[vid] = (_cell(row, model_col), _cell(row, hf_col))
    return out


def _split(value: str) -> list[str]:
    return [v for v in _SPLIT.split(value.strip()) if v]


def _listing(path: Path) -> str | None:
    stem = path.stem.lower().replace("-", "_")
    if "notable" in stem:
        return NOTABLE
    if "large_scale" in stem or "largescale" in stem:
        return LARGE_SCALE
    return None


def _parse_models(table: _Table, batch: ImportBatch, track: Track) -> Iterator[_ModelRow]:
    cols = {f: table.column(f) for f in COLUMNS}
    listed_in = _listing(table.path) or ""
    for line, row in track(table.rows, f"epoch: {table.path.name}", len(table.rows)):
        try:
            if "\x00fields" in row:
                raise BadRow(None, row["\x00fields"])
            name = _cell(row, cols["model"])
            if not name:
                raise BadRow(cols["model"], "empty: every row needs the model's name")
            orgs = _split(_cell(row, cols["organization"]))
            if not orgs:
                raise BadRow(cols["organization"], "empty: a model needs its developer")
            access_text = _cell(row, cols["accessibility"])
            access = None
            if access_text:
                access = ACCESSIBILITY.get(access_text.casefold())
                if access is None:
                    raise BadRow(cols["accessibility"], f"unknown accessibility {access_text!r}")
            elif _cell(row, cols["open_weights"]).casefold() in {"yes", "true"}:
                access = str(AIKG.OpenWeights)
            params = _number(_cell(row, cols["parameters"]), cols["parameters"] or "Parameters")
            if params is not None and round(params) < 1:
                raise BadRow(cols["parameters"], f"{params!r} is less than one parameter")
            modalities: list[str] = []
            for field in ("domain", "task"):
                for value in _split(_cell(row, cols[field])):
                    for concept in MODALITY.get(value.casefold(), ()):
                        if concept not in modalities:
                            modalities.append(concept)
            yield _ModelRow(
                file=table.path.name,
                line=line,
                listed_in=listed_in,
                name=name,
                orgs=orgs,
                countries=_split(_cell(row, cols["country"])),
                categories=_split(_cell(row, cols["category"])),
                date=_date(_cell(row, cols["date"]), cols["date"] or "Publication date"),
                params=params,
                compute=_number(_cell(row, cols["compute"]), cols["compute"] or "Training compute (FLOP)"),
                accessibility=access,
                modalities=modalities,
                bases=_split(_cell(row, cols["base"])),
                links=[u if u.startswith("http") else "https://" + u for u in _URLS.findall(_cell(row, cols["link"]))],
            )
        except BadRow as bad:
            batch.skip(table.path.name, line, bad.column, bad.reason)


def _emit_models(
    rows: list[_ModelRow],
    org_table: dict[str, tuple[list[str], list[str]]],
    batch: ImportBatch,
    resolver: Resolver,
    track: Track,
) -> None:
    source = iri(SOURCE.homepage)
    model_type = str(AIKG.AIModel)
    lineage: list[tuple[ox.NamedNode, _ModelRow]] = []
    for row in track(rows, "epoch: resolving models", len(rows)):
        creators = [_emit_org(name, row, org_table, batch, resolver) for name in row.orgs]
        # Epoch's Link column points at papers and related repositories (the 33B row of Wu Dao
        # Aquila links the 7B weights), so it is no identity key: only the name is.
        match = resolver.model(row.name, creators=creators, epoch_name=row.name, params=row.params)
        m = iri(match.iri)
        batch.typed(m, model_type)
        batch.name(m, row.name)
        batch.add(m, iri(str(AIKG.epochName)), text(row.name))
        for creator in creators:
            batch.add(m, iri(str(SCHEMA.creator)), iri(creator))
        if row.date is not None:
            batch.add(m, iri(str(SCHEMA.datePublished)), row.date)
        if row.params is not None:
            batch.add(m, iri(str(AIKG.totalParameters)), integer(round(row.params)))
            _check_size(m, row, batch)
        if row.compute is not None:
            batch.add(m, iri(str(AIKG.trainingCompute)), double(row.compute))
        if row.accessibility:
            batch.add(m, iri(str(AIKG.accessibility)), iri(row.accessibility))
        for concept in row.modalities:
            batch.add(m, iri(str(AIKG.modality)), iri(concept))
        if row.listed_in:
            batch.add(m, iri(str(AIKG.listedIn)), iri(row.listed_in))
        for link in row.links:
            try:
                batch.add(m, iri(str(SCHEMA.url)), iri(link))
            except ValueError:
                batch.warn(row.file, f"link {link!r} is not a valid IRI; left out", row.line, "Link")
        batch.add(m, DCT_SOURCE, source)
        if row.bases:
            lineage.append((m, row))
    for m, row in lineage:
        found = []
        for base in row.bases:
            base_iri = resolver.existing_model(base, epoch_name=base)
            if base_iri is None:
                batch.warn(
                    row.file,
                    f"base model {base!r} is in no model table or graph; lineage link left out",
                    row.line,
                    "Base model",
                )
            elif base_iri != m.value:
                found.append(base_iri)
        for base_iri in found:
            batch.add(m, iri(str(AIKG.basedOn)), iri(base_iri))
        if len(found) == 1 and len(row.bases) == 1:
            batch.add(m, iri(str(AIKG.derivationType)), iri(str(AIKG.FineTune)))


def _emit_org(
    name: str, row: _ModelRow, org_table: dict[str, tuple[list[str], list[str]]], batch: ImportBatch, resolver: Resolver
) -> str:
    match = resolver.organization(name)
    o = iri(match.iri)
    batch.typed(o, str(SCHEMA.Organization))
    batch.name(o, name)
    batch.add(o, DCT_SOURCE, iri(SOURCE.homepage))
    countries, categories = org_table.get(name, (None, None))
    if countries is None:
        # Not in the organizations table: the row's countries that its known organizations do
        # not explain belong to this one, when it is the row's only unknown organization.
        unknown = [n for n in row.orgs if n not in org_table]
        explained = {c for n in row.orgs if n in org_table for c in org_table[n][0]}
        countries = [c for c in row.countries if c not in explained] if unknown == [name] else []
        categories = row.categories if len(row.orgs) == 1 else []
    for country in countries:
        _emit_country(o, country, row, batch)
    for category in categories:
        batch.add(o, iri(str(AIKG.category)), text(category))
    return match.iri


def _emit_country(org: ox.NamedNode, country: str, row: _ModelRow, batch: ImportBatch) -> None:
    if country.casefold() in _NOT_A_COUNTRY:
        return
    known = COUNTRIES.get(country)
    if known is None:
        batch.warn(
            row.file, f"country {country!r} has no Wikidata id in the importer's table; left out", row.line, "Country"
        )
        return
    qid, code = known
    c = iri(str(WD[qid]))
    batch.typed(c, str(SCHEMA.Country))
    batch.name(c, country)
    batch.add(c, iri(str(SCHEMA.identifier)), text(code))
    batch.add(org, iri(str(SCHEMA.addressCountry)), c)


def _check_size(m: ox.NamedNode, row: _ModelRow, batch: ImportBatch) -> None:
    """Flag a parameter count that disagrees with the size the model's name states.

    The rule is general: a name with one size token ("7B", "8x7B", "340M") states a size; a
    count more than twice that size, or less than half of it, gets an ``aikg:qualityWarning``
    that names both values. The value is kept as the source gives it. (Known case: Epoch AI
    lists Llama 2-7B with 7e10 parameters.)
    """
    stated = name_size(row.name)
    if stated is None or row.params is None:
        return
    ratio = row.params / stated
    if 0.5 <= ratio <= 2.0:
        return
    batch.add(
        m,
        iri(str(AIKG.qualityWarning)),
        text(
            f"Epoch AI gives Parameters = {row.params:.6g} ({round(row.params)}), {ratio:.3g} times the size "
            f"the name {row.name!r} states ({stated:.6g}); one of the two is wrong or the name's number is not "
            f"a parameter count ({row.file})."
        ),
    )


def _emit_runs(
    table: _Table, versions: dict[str, tuple[str, str]], batch: ImportBatch, resolver: Resolver, track: Track
) -> None:
    cols = {f: table.column(f) for f in ("run_id", "run_task", "run_model", "run_score", "run_log")}
    source = iri(BENCHMARKING_HUB)
    seen: set[str] = set()
    for line, row in track(table.rows, f"epoch: {table.path.name}", len(table.rows)):
        try:
            if "\x00fields" in row:
                raise BadRow(None, row["\x00fields"])
            run_id = _cell(row, cols["run_id"])
            if not run_id:
                raise BadRow(cols["run_id"], "empty: every run needs its id")
            task = _cell(row, cols["run_task"])
            if not task:
                raise BadRow(cols["run_task"], "empty: every run names its benchmark")
            version = _cell(row, cols["run_model"])
            if not version:
                raise BadRow(cols["run_model"], "empty: every run names the model version")
            raw = _cell(row, cols["run_score"])
            try:
                score = Decimal(raw) * 100 if raw else None
            except InvalidOperation:
                raise BadRow(cols["run_score"], f"{raw!r} is not a number") from None
            if score is not None and not (Decimal(0) <= score <= Decimal(100)):
                raise BadRow(cols["run_score"], f"{raw!r} is not a score between 0 and 1")
        except BadRow as bad:
            batch.skip(table.path.name, line, bad.column, bad.reason)
            continue
        model_name, _hf_owner = versions.get(version, ("", ""))
        model = resolver.existing_model(model_name, epoch_name=model_name) if model_name else None
        if model is None:
            what = f"model {model_name!r} (version {version!r})" if model_name else f"model version {version!r}"
            batch.skip(
                table.path.name, line, cols["run_model"], f"{what} is in no Epoch model table or graph", "unresolved"
            )
            continue
        slug = "epoch-" + run_id.lower()
        if slug in seen:
            slug += "-" + str(line)
        seen.add(slug)
        r = iri(f"{ID}benchmark-result/{slug}")
        batch.typed(r, str(AIKG.BenchmarkResult))
        batch.add(r, iri(str(AIKG.evaluatedModel)), iri(model))
        batch.add(r, iri(str(AIKG.benchmark)), text(task))
        if score is not None:
            batch.add(r, iri(str(AIKG.score)), decimal(format(score.normalize(), "f")))
            batch.add(r, iri(str(AIKG.metric)), text("best score across scorers (percent)"))
        batch.add(r, iri(str(AIKG.selfReported)), boolean(False))
        batch.add(r, iri(str(AIKG.modelVersion)), text(version))
        log = _cell(row, cols["run_log"])
        if log.startswith(("http://", "https://")):
            try:
                batch.add(r, iri(str(SCHEMA.url)), iri(log))
            except ValueError:
                batch.warn(table.path.name, f"log link {log!r} is not an IRI; left out", line, cols["run_log"])
        batch.add(r, DCT_SOURCE, source)
        batch.add(r, iri(PREFIXES["prov"] + "wasAttributedTo"), iri(SOURCE.publisher_url))
