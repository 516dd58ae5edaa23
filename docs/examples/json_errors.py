import logging

from webob import Request

from respond_mw import view


@view
def report():
    return {"ratio": float("inf")}


# checks
logging.getLogger("respond_mw").disabled = True  # keep the example's output quiet
try:
    resp = Request.blank("/").get_response(report)
finally:
    logging.getLogger("respond_mw").disabled = False
assert resp.status == "500 Internal Server Error"  # not a 200 with a broken body
assert "application/json" not in resp.headers["Content-Type"]
