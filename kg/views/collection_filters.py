"""The filters and sort keys of each REST collection: fixed SPARQL fragments, values always bound.

Only these fragments and names reach query text (known-traps case 21); a user's value is bound
through ``substitutions`` by :mod:`kg.views.listing`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Filter:
    """One filter of a collection.

    Attributes
    ----------
    value : str
        How the value is read: an entity kind (``organization``…), a scheme key of
        :data:`kg.find.resolve.SCHEMES`, ``claimant`` (person or organization), ``subject`` (any
        entity), ``source`` (where a claim appeared), ``bool``, ``int`` (>= 0) or ``date``
        (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) or ``count`` (a whole count as people write it:
        ``7000000000``, ``7B``, ``1e9``; :func:`kg.terms.parse_count`).
    fragment : str
        SPARQL group pattern over the collection's variable and the filter's own variable
        (the parameter name), whose value is bound. Empty for row filters.
    when_true, when_false : str
        For boolean filters: the fixed pattern for each answer (nothing is bound).
    description : str
        What the filter keeps (OpenAPI text).
    """

    value: str
    fragment: str = ""
    when_true: str = ""
    when_false: str = ""
    description: str = ""


def _flag(pattern: str, description: str) -> Filter:
    """Return a boolean filter: true keeps the rows where the fixed `pattern` holds, false the others."""
    return Filter(
        "bool", when_true=f"{pattern} .", when_false=f"FILTER NOT EXISTS {{ {pattern} }}", description=description
    )


# How a range filter compares the property's value ?{v} with the bound parameter ?{p}. Dates are
# compared at the coarser of the two precisions: each side cut to the length of the other.
_COMPARISONS = {
    "int": "FILTER(?{v} {op} ?{p})",
    "count": "FILTER(?{v} {op} ?{p})",
    "date": "FILTER(SUBSTR(STR(?{v}), 1, STRLEN(?{p})) {op} SUBSTR(?{p}, 1, STRLEN(STR(?{v}))))",
}


def _bounds(var: str, rows: tuple[tuple[str, str, str, str, str], ...]) -> dict[str, Filter]:
    """Return range filters on a property of ``?{var}``.

    One per ``(parameter, value, property, operator, description)`` row. Only these fixed names
    reach the query text; the value is bound.
    """
    return {
        parameter: Filter(
            value,
            f"?{var} {prop} ?_{parameter} . " + _COMPARISONS[value].format(v="_" + parameter, op=op, p=parameter),
            description=description,
        )
        for parameter, value, prop, op, description in rows
    }


# fmt: off
_MODEL_RANGES = (  # parameter, value, property, operator, description
    ("released_after", "date", "schema:datePublished", ">=", "Released on or after this date (YYYY, YYYY-MM or YYYY-MM-DD), compared at the coarser of the two precisions."),
    ("released_before", "date", "schema:datePublished", "<", "Released before this date (exclusive), compared at the coarser of the two precisions."),
    ("min_parameters", "count", "aikg:totalParameters", ">=", "At least this many total parameters: a count (100000000000) or as people write it (100B, 1.5T, 1e11)."),
    ("max_parameters", "count", "aikg:totalParameters", "<=", "At most this many total parameters."),
    ("min_active_parameters", "count", "aikg:activeParameters", ">=", "At least this many active parameters (MoE models)."),
    ("max_active_parameters", "count", "aikg:activeParameters", "<=", "At most this many active parameters (MoE models)."),
)
# fmt: on

FILTERS: dict[str, dict[str, Filter]] = {
    "models": {
        "organization": Filter(
            "organization",
            "?model schema:creator/(schema:parentOrganization|org:subOrganizationOf)* ?organization .",
            description="Developer (slug, name or IRI); models of its sub-organizations are included.",
        ),
        "country": Filter(
            "country",
            "?model schema:creator/schema:addressCountry ?country .",
            description="Country of the developer: ISO 3166-1 alpha-2 code (CN), name, Wikidata id (Q148) or IRI.",
        ),
        "architecture": Filter(
            "architecture",
            "?model aikg:architecture/skos:broader* ?architecture .",
            description="Architecture concept (moe, dense, dit, moe-dit, hybrid-mamba… or label or IRI); narrower concepts match, so moe includes MoE diffusion transformers.",
        ),
        "modality": Filter(
            "modality",
            "?model aikg:modality/skos:broader* ?modality .",
            description="Modality the model takes or generates, either (text, code, image, video, audio, speech, multimodal): a text-to-image model matches text and image; narrower concepts match. For what a model produces use output_modality.",
        ),
        "output_modality": Filter(
            "modality",
            "?model aikg:outputModality/skos:broader* ?output_modality .",
            description="Modality the model generates (its output): text, code, image, video, audio, speech; narrower concepts match.",
        ),
        "input_modality": Filter(
            "modality",
            "?model aikg:inputModality/skos:broader* ?input_modality .",
            description="Modality the model takes as input: text, code, image, video, audio, speech; narrower concepts match.",
        ),
        "license": Filter(
            "license",
            "?model aikg:weightsLicense|aikg:codeLicense ?license .",
            description="License of the weights or of the code: SPDX id (MIT), LicenseRef slug, name or IRI.",
        ),
        "weights_license": Filter(
            "license", "?model aikg:weightsLicense ?weights_license .", description="License of the weights only."
        ),
        "code_license": Filter(
            "license", "?model aikg:codeLicense ?code_license .", description="License of the code only."
        ),
        "osi": _flag(
            "?model aikg:weightsLicense/spdx:isOsiApproved true",
            "true: the weights license is OSI-approved; false: it is not (or no weights license is known).",
        ),
        "open_weights": _flag(
            "?model aikg:accessibility/skos:broader* aikg:OpenWeights",
            "true: weights are downloadable (any open-weights accessibility); false: API, hosted or unreleased.",
        ),
        "accessibility": Filter(
            "accessibility",
            "?model aikg:accessibility/skos:broader* ?accessibility .",
            description="Accessibility concept (open-weights, api, hosted…); narrower concepts match.",
        ),
        "family": Filter("family", "?model schema:isPartOf ?family .", description="Model family (slug, name or IRI)."),
        "based_on": Filter(
            "model",
            "?model aikg:basedOn+ ?based_on .",
            description="Models derived from this model, transitively (aikg:basedOn+).",
        ),
        "year": Filter(
            "int",
            "?model schema:datePublished ?_year . FILTER(SUBSTR(STR(?_year), 1, 4) = STR(?year))",
            description="Released in this calendar year (e.g. 2025).",
        ),
        **_bounds("model", _MODEL_RANGES),
    },
    "claims": {
        "claimant": Filter(
            "claimant",
            "?claim schema:author ?claimant .",
            description="Who made the claim: person or organization (slug, name or IRI).",
        ),
        "about": Filter(
            "subject",
            "?claim schema:about ?about .",
            description="What the claim is about: any entity (model, organization, family, country…).",
        ),
        "stance": Filter(
            "stance", "?claim aikg:stance ?stance .", description="Stance: supports, opposes, neutral, predicts, warns."
        ),
        "claim_kind": Filter(
            "claim_kind",
            "?claim aikg:claimKind ?claim_kind .",
            description="Kind: first, ranking, openness, quantity, trend, opinion.",
        ),
        "source": Filter(
            "source",
            "?claim schema:appearance ?source .",
            description="Where it appeared: article slug, name, or the IRI/URL of the article or README.",
        ),
        "self_claim": Filter(
            "bool", description="true: only self-claims (the claimant made the subject); false: only the others."
        ),
    },
    "organizations": {
        "country": Filter(
            "country",
            "?org schema:addressCountry ?country .",
            description="Country: ISO 3166-1 alpha-2 code, name or IRI.",
        ),
        "parent": Filter(
            "organization",
            "?org (schema:parentOrganization|org:subOrganizationOf)+ ?parent .",
            description="Sub-organizations of this organization, transitively.",
        ),
    },
    "people": {
        "affiliation": Filter(
            "organization",
            "?person schema:affiliation|schema:worksFor ?affiliation .",
            description="Affiliated organization.",
        ),
    },
    "licenses": {
        "osi": _flag("?license spdx:isOsiApproved true", "true: OSI-approved; false: not (or unknown)."),
        "commercial": _flag(
            "?license aikg:commercialUseAllowed true", "true: commercial use allowed; false: not allowed or not stated."
        ),
    },
    "architectures": {
        "broader": Filter(
            "architecture",
            "?concept skos:broader+ ?broader .",
            description="Only concepts narrower than this one, transitively (moe lists MoE diffusion transformers, hybrid MoE…).",
        ),
    },
    "articles": {
        "publisher": Filter(
            "organization", "?article schema:publisher ?publisher .", description="Publisher organization."
        ),
        "about": Filter(
            "subject",
            "?article schema:about|schema:mentions ?about .",
            description="An entity the article is about or mentions.",
        ),
    },
    "families": {
        "organization": Filter(
            "organization", "?family schema:creator ?organization .", description="Creator organization."
        ),
    },
    "countries": {},
}
"""Collection -> filter parameter -> :class:`Filter`."""

SUBJECT = {
    "models": ("model", "?model a aikg:AIModel ."),
    "claims": ("claim", "?claim a schema:Claim ."),
    "organizations": ("org", "VALUES ?orgType { schema:Organization schema:NewsMediaOrganization } ?org a ?orgType ."),
    "people": ("person", "?person a schema:Person ."),
    "licenses": (
        "license",
        "VALUES ?licenseType { spdx:ListedLicense aikg:CustomLicense aikg:ProprietaryTerms } ?license a ?licenseType .",
    ),
    "architectures": ("concept", "?concept skos:inScheme aikg:ArchitectureScheme ."),
    "articles": (
        "article",
        "VALUES ?articleType { schema:NewsArticle schema:Article schema:ScholarlyArticle schema:Report } ?article a ?articleType .",
    ),
    "families": ("family", "?family a aikg:ModelFamily ."),
    "countries": ("country", "?country a schema:Country ."),
}

SORTS: dict[str, dict[str, str]] = {
    "models": {
        "name": "name",
        "date": "datePublished",
        "parameters": "totalParameters",
        "active_parameters": "activeParameters",
        "organization": "creator",
        "country": "country",
        "architecture": "architecture",
        "weights_license": "weightsLicense",
        "openness": "accessibility",
    },
    "claims": {"name": "name", "date": "dateCreated"},
    "articles": {"name": "name", "date": "datePublished"},
    "organizations": {"name": "name", "models": "modelCount"},
    "licenses": {"name": "name", "models": "modelCount"},
    "architectures": {"name": "name", "models": "modelCount"},
    "families": {"name": "name", "models": "modelCount"},
    "people": {"name": "name"},
    "countries": {"name": "name"},
}
"""Collection -> sort name -> record field. Rows without a value come last in both orders; a field
holding an entity reference sorts by the entity's name."""
