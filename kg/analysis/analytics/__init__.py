"""networkx views of the graph, and measures on them.

Two families of functions, all taking the pyoxigraph store first so a query worker can run them:

* **pictures** (``ego_graph``, ``lineage_graph``, ``landscape_graph``, ``claims_graph``,
  ``construct_graph``): a ``networkx.MultiDiGraph`` whose nodes carry *meaning* (``label``,
  ``kind``, ``title`` tooltip text, ``country``, ``variant``, ``flags``, ``value``) and whose
  edges carry the property (``predicate``) and its label; ``viz.render_html`` turns any of them
  into a page;
* **measures** over a named *projection* (:data:`PROJECTIONS`): centrality, lineage chains,
  shortest paths, communities, and the chart series. Every result names the projection it was
  computed on.

Node keys are IRIs as plain strings; literals and blank nodes (only in ``construct_graph``) are
keyed by their N-Triples form (``"ACME"@en``, ``"1999"^^<…#gYear>``, ``_:b0``), which can never
equal an IRI, so equal-looking terms of different kinds stay different nodes (RDF 1.1 Concepts
§3.3; known-traps case 28).

Modules, by what they own:

* :mod:`.references`: ``resolve_ref`` (``KIND/SLUG``, a name or an IRI -> the entity's IRI);
* :mod:`.pictures`: ``ego_graph``, ``lineage_graph``, ``graph_summary``; :mod:`.landscape`:
  ``landscape_graph`` and the :data:`OPENNESS` categories; :mod:`.claims_network`:
  ``claims_graph``; :mod:`.construct`: ``construct_graph``, ``rdf_to_networkx``;
* :mod:`.projections`: ``projection`` and :data:`PROJECTIONS`; :mod:`.measures`: ``centrality``,
  ``lineage_chains``, ``shortest_path``, ``communities``;
* :mod:`.charts`: ``chart_data`` and :data:`CHARTS`;
* private: ``_tooltips`` (node facts and tooltip text), ``_nodes`` (adding nodes and edges once),
  ``_shared_helpers`` (this package's copies of the kind table, display-name order and IRI
  helpers, to be replaced by the project-wide ``kg.terms``).
"""

from __future__ import annotations

from kg.analysis.analytics.charts import CHARTS, chart_data
from kg.analysis.analytics.claims_network import claims_graph
from kg.analysis.analytics.construct import construct_graph, rdf_to_networkx
from kg.analysis.analytics.landscape import OPENNESS, landscape_graph
from kg.analysis.analytics.measures import MEASURES, centrality, communities, lineage_chains, shortest_path
from kg.analysis.analytics.pictures import ego_graph, graph_summary, lineage_graph
from kg.analysis.analytics.projections import PROJECTIONS, projection
from kg.analysis.analytics.references import resolve_ref
from kg.terms import ENTITY_KINDS

__all__ = [
    "CHARTS",
    "ENTITY_KINDS",
    "MEASURES",
    "OPENNESS",
    "PROJECTIONS",
    "centrality",
    "chart_data",
    "claims_graph",
    "communities",
    "construct_graph",
    "ego_graph",
    "graph_summary",
    "landscape_graph",
    "lineage_chains",
    "lineage_graph",
    "projection",
    "rdf_to_networkx",
    "resolve_ref",
    "shortest_path",
]
