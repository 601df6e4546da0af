"""Query parameters mean what the OpenAPI description says (found by schemathesis).

``page`` is a whole number from 1 and ``gemeente`` a CBS code; anything else is a 400 problem
naming the parameter, not page 1 (an empty ``page=``), a 404 (``page=abc``) or an empty list.
"""

from __future__ import annotations

import pytest

from tests.web.test_web_api import api, as_user, assert_problem  # noqa: F401 (fixture)


@pytest.mark.parametrize("query", ["page=", "page=abc", "page=0", "page=-1", "page=1.5",
                                   "page=last", "gemeente=", "gemeente=Tiel", "gemeente=GM12"])
def test_malformed_query_parameters_are_a_400_naming_the_parameter(api, users, workspace,  # noqa: F811
                                                                   query):
    as_user(api, users["adviseur"])
    body = assert_problem(api.get(f"/api/v1/doelen?{query}"), 400)
    assert body["code"] == "ongeldig"
    assert [p["name"] for p in body["invalidParams"]] == [query.split("=")[0]]


def test_well_formed_query_parameters(api, users, workspace):  # noqa: F811
    as_user(api, users["adviseur"])
    for query in ("", "?page=1", "?gemeente=GM0281", "?gemeente=gm0281&page=1"):
        response = api.get(f"/api/v1/doelen{query}")
        assert response.status_code == 200, (query, response.content)
        assert [r["title"] for r in response.json()["results"]] == [
            "Minder specialistische jeugdhulp"
        ]
    assert api.get("/api/v1/doelen?gemeente=GM0184").json()["results"] == []  # no role there
    body = assert_problem(api.get("/api/v1/doelen?page=2"), 404)  # past the last page
    assert body["detail"] == "Pagina 2 bestaat niet (er zijn minder resultaten)."
    assert api.get("/api/v1/doorrekeningen?gemeente=GM0281").status_code == 200
    assert_problem(api.get("/api/v1/scenarios?gemeente=x"), 400)
