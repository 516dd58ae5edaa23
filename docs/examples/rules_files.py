import tempfile
from pathlib import Path

from webob import Request

from respond_mw import view

directory = Path(tempfile.mkdtemp())
(directory / "report.csv").write_text("id,name\n1,Ada\n")


@view
def report():
    return directory / "report.csv"


@view
def download():
    file = open(directory / "report.csv", "rb")  # noqa: SIM115 (closed after sending)
    return file, {"Content-Disposition": "attachment; filename=report.csv"}


# checks
resp = Request.blank("/").get_response(report)
assert resp.headers["Content-Type"] == "text/csv; charset=UTF-8"
assert resp.headers["Content-Length"] == "14"
assert "Last-Modified" in resp.headers and "ETag" in resp.headers
assert resp.body == b"id,name\n1,Ada\n"

partial = Request.blank("/", range="bytes=0-6").get_response(report)
assert (partial.status_code, partial.body) == (206, b"id,name")
again = Request.blank("/", if_none_match=resp.headers["ETag"]).get_response(report)
assert again.status_code == 304

resp = Request.blank("/").get_response(download)
assert resp.headers["Content-Disposition"] == "attachment; filename=report.csv"
assert resp.body == b"id,name\n1,Ada\n"
import shutil  # noqa: E402

shutil.rmtree(directory)
