"""Hooks of the OpenAPI fuzz run (test/api/openapi-fuzz.test.ts), loaded by schemathesis through SCHEMATHESIS_HOOKS.

- A followed log (`follow=true`) streams until the pod ends, which a running cluster's never does: the run asks for
  the log without following instead (a value as valid as the other, so the case stays what it was generated as).
- Known gaps: a schema-valid request refused by a rule the schema does not state yet. The test gives the fields in
  OSHINKO_FUZZ_KNOWN_GAPS (a JSON list of field names); a refusal of a schema-valid request whose error names one of
  them, or a part of one (`config.labels` covers `config.labels.team`), is dropped: schemathesis counts the dropped
  failures in its report ("Filtered").
"""

import json
import os

import schemathesis

KNOWN_GAPS = json.loads(os.environ.get("OSHINKO_FUZZ_KNOWN_GAPS", "[]"))


@schemathesis.hook
def map_query(context, query):
    if query is not None and query.get("follow") == "true":
        return {**query, "follow": "false"}
    return query


def _first_error(response):
    try:
        errors = response.json().get("errors") or [{}]
        return errors[0]
    except (ValueError, AttributeError):
        return {}


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if getattr(failure, "code", None) != "ST202" or response is None:
        return True
    field = str(_first_error(response).get("field", ""))
    return not any(field == gap or field.startswith((gap + ".", gap + "[")) for gap in KNOWN_GAPS)


@schemathesis.hook
def before_call(context, case, **kwargs):
    # The coverage phase builds its cases without `map_query`: a followed log is asked for unfollowed here as well.
    if case.query is not None and str(case.query.get("follow")).lower() == "true":
        case.query = {**case.query, "follow": "false"}
