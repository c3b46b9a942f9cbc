"""Namespaces of the ontology, instance IRIs and the prefixes every query and file shares."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace
from rdflib.term import URIRef

__all__ = ["AIKG", "GRAPH", "ID", "KINDS", "PREFIXES", "SCHEMA", "SPDX", "SPDX_LICENSE", "WD", "entity_iri"]


class AIKG(DefinedNamespace):
    """Terms of the AIKG ontology (``ontology/modules``); unknown names raise AttributeError."""

    _fail = True
    _NS = Namespace("https://w3id.org/aikg/ontology#")

    # classes
    AIModel: URIRef
    ModelFamily: URIRef
    BenchmarkResult: URIRef
    CustomLicense: URIRef
    ProprietaryTerms: URIRef
    OpennessGrade: URIRef
    OrganizationCategory: URIRef
    # model properties
    totalParameters: URIRef
    activeParameters: URIRef
    expertCount: URIRef
    activeExpertCount: URIRef
    contextLength: URIRef
    trainingCompute: URIRef
    basedOn: URIRef
    distilledFrom: URIRef
    derivationType: URIRef
    architecture: URIRef
    modality: URIRef
    inputModality: URIRef
    outputModality: URIRef
    weightsLicense: URIRef
    codeLicense: URIRef
    dataLicense: URIRef
    accessibility: URIRef
    mofClass: URIRef
    opennessGrade: URIRef
    osaidCompliant: URIRef
    epochName: URIRef
    hfRepoId: URIRef
    qualityWarning: URIRef
    # benchmark results
    evaluatedModel: URIRef
    benchmark: URIRef
    score: URIRef
    metric: URIRef
    rank: URIRef
    selfReported: URIRef
    # licenses
    commercialUseAllowed: URIRef
    userThreshold: URIRef
    attributionRequired: URIRef
    acceptableUsePolicy: URIRef
    derivativesMustKeepLicense: URIRef
    derivativeNamingRule: URIRef
    # openness grades
    dimension: URIRef
    grade: URIRef
    # organizations
    category: URIRef
    # claims
    paraphrase: URIRef
    stance: URIRef
    comparedWith: URIRef
    claimKind: URIRef
    aboutProperty: URIRef
    framing: URIRef
    # concept schemes and concepts
    ArchitectureScheme: URIRef
    Transformer: URIRef
    DenseTransformer: URIRef
    MixtureOfExperts: URIRef
    DiffusionTransformer: URIRef
    MoEDiffusionTransformer: URIRef
    HybridAttentionMoE: URIRef
    HybridMambaTransformer: URIRef
    HybridMambaTransformerMoE: URIRef
    ModalityScheme: URIRef
    Text: URIRef
    Code: URIRef
    Image: URIRef
    Video: URIRef
    Audio: URIRef
    Speech: URIRef
    Multimodal: URIRef
    DerivationTypeScheme: URIRef
    FineTune: URIRef
    Adapter: URIRef
    Merge: URIRef
    Quantization: URIRef
    Distillation: URIRef
    ContinuedPretraining: URIRef
    AccessibilityScheme: URIRef
    OpenWeights: URIRef
    OpenWeightsUnrestricted: URIRef
    OpenWeightsRestricted: URIRef
    OpenWeightsNonCommercial: URIRef
    APIAccess: URIRef
    HostedAccess: URIRef
    Unreleased: URIRef
    MOFClassScheme: URIRef
    MOFClassI: URIRef
    MOFClassII: URIRef
    MOFClassIII: URIRef
    MOFNotClassified: URIRef
    GradeScheme: URIRef
    GradeOpen: URIRef
    GradePartial: URIRef
    GradeClosed: URIRef
    StanceScheme: URIRef
    Supports: URIRef
    Opposes: URIRef
    Neutral: URIRef
    Predicts: URIRef
    Warns: URIRef
    ClaimKindScheme: URIRef
    FirstClaim: URIRef
    RankingClaim: URIRef
    OpennessClaim: URIRef
    QuantityClaim: URIRef
    TrendClaim: URIRef
    OpinionClaim: URIRef
    # reviews of claims (ontology/modules/reviews.ttl)
    EvidenceItem: URIRef
    EvidenceRule: URIRef
    InterestFinding: URIRef
    DataSnapshot: URIRef
    GraphVersion: URIRef
    ClaimScope: URIRef
    TrendExpectation: URIRef
    evidence: URIRef
    evidenceRule: URIRef
    interestRule: URIRef
    sparqlQuery: URIRef
    queryBinding: URIRef
    evidenceSubject: URIRef
    evidenceProperty: URIRef
    fromGraph: URIRef
    bearing: URIRef
    interest: URIRef
    interestKind: URIRef
    via: URIRef
    hasStake: URIRef
    computedFrom: URIRef
    datasetVersion: URIRef
    inputGraph: URIRef
    namedGraph: URIRef
    graphDigest: URIRef
    tripleCount: URIRef
    claimedValue: URIRef
    claimedSubject: URIRef
    firstAmong: URIRef
    rankAmong: URIRef
    constraint: URIRef
    uncheckedQualifier: URIRef
    expectedLeader: URIRef
    expectedCountry: URIRef
    declaredLicense: URIRef
    RatingScheme: URIRef
    Supported: URIRef
    Misleading: URIRef
    Contradicted: URIRef
    Unverifiable: URIRef
    BearingScheme: URIRef
    BearsFor: URIRef
    BearsAgainst: URIRef
    BearsContext: URIRef
    InterestKindScheme: URIRef
    SelfClaim: URIRef
    EmploymentLink: URIRef
    OwnershipLink: URIRef
    CompetitorLink: URIRef

    # imports, snapshots and imported evidence (ontology/modules/provenance.ttl)
    Snapshot: URIRef
    snapshotOf: URIRef
    snapshotVersion: URIRef
    importSource: URIRef
    importerVersion: URIRef
    rowsRead: URIRef
    rowsSkipped: URIRef
    modelCount: URIRef
    newModelCount: URIRef
    organizationCount: URIRef
    benchmarkResultCount: URIRef
    opennessGradeCount: URIRef
    tripleCount: URIRef
    importIssue: URIRef
    listedIn: URIRef
    modelVersion: URIRef
    trainingDataset: URIRef
    MOFAssessment: URIRef
    mofAssessment: URIRef
    ComponentRelease: URIRef
    releasedComponent: URIRef
    mofComponent: URIRef
    licenseNote: URIRef
    openlyLicensed: URIRef
    MOFComponentScheme: URIRef
    MOFModelArchitecture: URIRef
    MOFModelParametersFinal: URIRef
    MOFEvaluationResults: URIRef
    MOFModelCard: URIRef
    MOFDataCard: URIRef
    MOFTechnicalReport: URIRef
    MOFSampleModelOutputs: URIRef
    MOFTrainingCode: URIRef
    MOFInferenceCode: URIRef
    MOFEvaluationCode: URIRef
    MOFEvaluationData: URIRef
    MOFSupportingLibraries: URIRef
    MOFDatasets: URIRef
    MOFDataPreprocessingCode: URIRef
    MOFModelParametersIntermediate: URIRef
    MOFResearchPaper: URIRef
    MOFModelMetadata: URIRef


ID = Namespace("https://w3id.org/aikg/id/")
"""Base of instance IRIs: ``ID["model/glm-4.5"]``."""

GRAPH = Namespace("https://w3id.org/aikg/graph/")
"""Base of named-graph IRIs: one graph per source file or import."""

SCHEMA = Namespace("https://schema.org/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SPDX_LICENSE = Namespace("http://spdx.org/licenses/")
WD = Namespace("http://www.wikidata.org/entity/")

KINDS: dict[str, str] = {
    "models": "model",
    "organizations": "organization",
    "people": "person",
    "licenses": "license",
    "claims": "claim",
    "articles": "article",
    "families": "family",
}
"""Plural collection name (REST path) -> singular kind (IRI path segment)."""

PREFIXES: dict[str, str] = {
    "aikg": str(AIKG._NS),
    "schema": str(SCHEMA),
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "spdx": str(SPDX),
    "spdxl": str(SPDX_LICENSE),
    "wd": str(WD),
    "org": "http://www.w3.org/ns/org#",
    "model": str(ID) + "model/",
    "organization": str(ID) + "organization/",
    "person": str(ID) + "person/",
    "license": str(ID) + "license/",
    "claim": str(ID) + "claim/",
    "article": str(ID) + "article/",
    "family": str(ID) + "family/",
    "graph": str(GRAPH),
}
"""Prefix -> namespace IRI, predeclared in every query and used when serializing Turtle."""


def entity_iri(kind: str, slug: str) -> URIRef:
    """Return the IRI of an instance.

    Parameters
    ----------
    kind : str
        Singular kind, e.g. ``"model"`` (see :data:`KINDS`).
    slug : str
        Lowercase slug, e.g. ``"glm-4.5"``.

    Returns
    -------
    rdflib.URIRef
        ``https://w3id.org/aikg/id/{kind}/{slug}``.

    Examples
    --------
    >>> str(entity_iri("model", "glm-4.5"))
    'https://w3id.org/aikg/id/model/glm-4.5'
    """
    return URIRef(f"{ID}{kind}/{slug}")
