"""One funnel for both SPARQL entry points: the query is checked once and its form travels along."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from api import sparql_protocol as protocol
from kg.engine.sparql import QueryRequest, execute
from kg.errors import ForbiddenError, QuerySyntaxError
from kg.settings import Settings


def test_query_request_records_the_checked_form() -> None:
    settings = Settings(workers=0)
    request = protocol.query_request(settings, {"query": ["ASK { ?s ?p ?o }"]}, "text/csv")
    assert isinstance(request, QueryRequest) and request.form == "ASK"
    assert request.result_media_type == "text/csv"
    # The edge refuses before any worker is used: updates and SERVICE.
    with pytest.raises(QuerySyntaxError):
        protocol.query_request(settings, {"query": ["INSERT DATA { <http://a> <http://b> <http://c> }"]}, None)
    with pytest.raises(ForbiddenError):
        protocol.query_request(settings, {"query": ["SELECT * { SERVICE <http://e/> { ?s ?p ?o } }"]}, None)


def test_execute_checks_only_unchecked_requests() -> None:
    store = ox.Store()
    text = "SELECT * WHERE { ?s ?p ?o }"
    # A request nobody checked (the CLI's) is checked by the engine ...
    assert execute(store, QueryRequest(text)).form == "SELECT"
    with pytest.raises(QuerySyntaxError):
        execute(store, QueryRequest("INSERT DATA { <http://a> <http://b> <http://c> }"))
    # ... one the funnel checked is not scanned again: the recorded form is the answer's form.
    assert execute(store, QueryRequest(text, form="SELECT")).form == "SELECT"


@pytest.mark.parametrize(
    ("media", "body", "url", "expected"),
    [
        (protocol.FORM, "query=ASK%7B%7D&default-graph-uri=g1", {"default-graph-uri": ["g2"]}, "query"),
        (protocol.FORM, "update=CLEAR%20ALL", {}, "update"),
        (protocol.QUERY, "ASK {}", {"named-graph-uri": ["g"]}, "query"),
        (protocol.UPDATE, "CLEAR ALL", {}, "update"),
    ],
)
def test_body_params(media: str, body: str, url: dict[str, list[str]], expected: str) -> None:
    operation, params = protocol.body_params(media, body, url)
    assert operation == expected
    assert all(params[key][-len(values) :] == values for key, values in url.items())


def test_body_params_refuses_two_operations() -> None:
    with pytest.raises(protocol.BadRequest, match="either 'query' or 'update'"):
        protocol.body_params(protocol.FORM, "query=ASK%7B%7D&update=CLEAR%20ALL", {})
    with pytest.raises(protocol.BadRequest, match="request body"):
        protocol.body_params(protocol.QUERY, "ASK {}", {"query": ["ASK {}"]})
