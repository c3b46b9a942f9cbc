"""Data contract: one license, one resource. No two license resources of the embedded data share a name.

A name is any ``rdfs:label``, ``spdx:name`` or ``schema:name`` of a license resource (typed
``spdx:License`` or a subclass, or used as ``aikg:weightsLicense``/``aikg:codeLicense``), compared
after folding case, accents, punctuation and a leading "the": "GLM-4 Model License" and
"glm-4 model license" are one name. Two resources under one name are either one license (merge them)
or two (give them names from their sources that tell them apart). One resource may carry its
source's own title (``spdx:name``, "Qwen RESEARCH LICENSE AGREEMENT") beside a label in plain case
(``rdfs:label``): that is one license under two writings of a name, not two licenses.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pyoxigraph as ox
import pytest

from kg.engine.load import default_sources
from kg.find.label_index import normalize
from kg.namespaces import PREFIXES

LICENSE_NAMES = """
SELECT DISTINCT ?license ?name WHERE {
  { ?license a/rdfs:subClassOf* spdx:License } UNION { ?model aikg:weightsLicense|aikg:codeLicense ?license }
  ?license rdfs:label|spdx:name|schema:name ?name .
}
"""


def name_key(name: str) -> str:
    """Fold a license name for comparison: case, accents, punctuation and a leading "the"."""
    words = re.sub(r"[^\w.]+|_", " ", normalize(name)).split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def shared_names(store: ox.Store) -> dict[str, set[str]]:
    """Folded name -> the license IRIs that carry it, for names carried by more than one."""
    owners: dict[str, set[str]] = defaultdict(set)
    for row in store.query(LICENSE_NAMES, prefixes=PREFIXES, use_default_graph_as_union=True):
        owners[name_key(row["name"].value)].add(row["license"].value)
    return {key: iris for key, iris in owners.items() if len(iris) > 1}


@pytest.fixture
def store() -> ox.Store:
    """The embedded data as shipped, one named graph per source."""
    s = ox.Store()
    for path, graph in default_sources():
        s.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
    return s


def test_name_key_folds_what_differs_only_in_writing() -> None:
    assert name_key("GLM-4 Model License") == name_key("glm-4 model license") == "glm 4 model license"
    assert name_key("The ChatGLM2-6B License") == name_key("ChatGLM2-6B License")
    assert name_key("ChatGLM2-6B License") != name_key("ChatGLM3-6B License")
    assert name_key("Llama 3.1 Community License") != name_key("Llama 3 Community License")


def test_no_two_license_resources_share_a_name(store: ox.Store) -> None:
    rows = list(store.query(LICENSE_NAMES, prefixes=PREFIXES, use_default_graph_as_union=True))
    assert len({r["license"].value for r in rows}) > 50  # the check sees the licenses
    assert shared_names(store) == {}


SHARED_TEXTS = """
SELECT ?url (GROUP_CONCAT(DISTINCT STR(?license); separator=" ") AS ?licenses) WHERE {
  ?license a/rdfs:subClassOf* spdx:License ; schema:url ?url .
} GROUP BY ?url HAVING (COUNT(DISTINCT ?license) > 1)
"""


def test_no_two_license_resources_point_at_one_text(store: ox.Store) -> None:
    # The same license file (schema:url) under two IRIs would be one license told twice.
    with_url = "SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l a/rdfs:subClassOf* spdx:License ; schema:url ?u }"
    (row,) = store.query(with_url, prefixes=PREFIXES, use_default_graph_as_union=True)
    assert int(row["n"].value) > 30
    shared = store.query(SHARED_TEXTS, prefixes=PREFIXES, use_default_graph_as_union=True)
    assert [(r["url"].value, r["licenses"].value) for r in shared] == []


def test_a_second_resource_of_one_license_is_found(store: ox.Store) -> None:
    # The check is not vacuous: a copy of the GLM-4 license under another IRI, named in other case.
    glm4 = "https://w3id.org/aikg/id/license/licenseref-glm-4"
    copy = "https://w3id.org/aikg/id/license/glm-4-model-license"
    store.update(
        f'INSERT DATA {{ <{copy}> a aikg:CustomLicense ; rdfs:label "glm-4 model license"@en . }}', prefixes=PREFIXES
    )
    assert shared_names(store) == {"glm 4 model license": {glm4, copy}}
    store.update(
        f"INSERT DATA {{ <{copy}> schema:url <https://huggingface.co/THUDM/glm-4-9b/blob/main/LICENSE> }}",
        prefixes=PREFIXES,
    )
    (row,) = store.query(SHARED_TEXTS, prefixes=PREFIXES, use_default_graph_as_union=True)
    assert set(row["licenses"].value.split()) == {glm4, copy}
