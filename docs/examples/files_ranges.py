import tempfile
from pathlib import Path

from webob import Request

from respond_mw import view

video = Path(tempfile.mkdtemp()) / "clip.mp4"
video.write_bytes(bytes(range(256)) * 40)  # 10240 bytes


@view
def clip():
    return video


# checks
whole = Request.blank("/").get_response(clip)
assert whole.headers["Accept-Ranges"] == "bytes"
assert whole.headers["Content-Length"] == "10240"
assert whole.body == video.read_bytes()
etag = whole.headers["ETag"]

part = Request.blank("/", headers={"Range": "bytes=1024-2047"}).get_response(clip)
assert part.status_code == 206
assert part.headers["Content-Range"] == "bytes 1024-2047/10240"
assert len(part.body) == 1024

tail = Request.blank("/", headers={"Range": "bytes=-16"}).get_response(clip)
assert tail.headers["Content-Range"] == "bytes 10224-10239/10240"
assert tail.body == bytes(range(240, 256))

beyond = Request.blank("/", headers={"Range": "bytes=20000-"}).get_response(clip)
assert beyond.status_code == 416
assert beyond.headers["Content-Range"] == "bytes */10240"

cached = Request.blank("/", headers={"If-None-Match": etag}).get_response(clip)
assert (cached.status_code, cached.body) == (304, b"")
since = Request.blank("/", headers={"If-Modified-Since": whole.headers["Last-Modified"]})
assert since.get_response(clip).status_code == 304
video.unlink()
video.parent.rmdir()
