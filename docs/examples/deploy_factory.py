# factory.py
from respond_mw import Middleware


def create_app():
    mw = Middleware()

    @mw.route("/")
    def home():
        return "made by a factory"

    return mw


# checks
from webtest import TestApp  # noqa: E402

assert TestApp(create_app()).get("/").text == "made by a factory"
