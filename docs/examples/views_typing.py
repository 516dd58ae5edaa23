from webob import Request

from respond_mw import view
from respond_mw.typing import ResponseReturnValue


@view
def item(request: Request) -> ResponseReturnValue:
    if "id" not in request.params:
        return {"error": "id is required"}, 400
    return {"id": int(request.params["id"])}, 200, {"Cache-Control": "max-age=60"}


# checks
assert Request.blank("/?id=4").get_response(item).json == {"id": 4}
assert Request.blank("/").get_response(item).status_code == 400
