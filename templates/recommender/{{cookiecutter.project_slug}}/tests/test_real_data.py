"""The MovieLens download, run against a small zip of the same layout served from 127.0.0.1."""

import hashlib
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from {{ cookiecutter.package_name }}.data import DataError, download_movielens, read_ratings, read_titles


@pytest.fixture
def server(tmp_path, synthetic_folder):
    """A real HTTP server on 127.0.0.1 serving ml-100k.zip (a small one); counts requests."""
    served = tmp_path / "served"
    served.mkdir()
    lines = (synthetic_folder / "u.data").read_text().splitlines()[:500]
    with zipfile.ZipFile(served / "ml-100k.zip", "w") as archive:
        archive.writestr("ml-100k/u.data", "\n".join(lines) + "\n")
        archive.writestr("ml-100k/u.item", "1|Toy Story (1995)|01-Jan-1995||\n".encode("latin-1"))
        archive.writestr("ml-100k/README", "MovieLens-like test archive\n")
    requests = []

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(served)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/ml-100k.zip"
    md5 = hashlib.md5((served / "ml-100k.zip").read_bytes()).hexdigest()
    yield url, md5, requests
    httpd.shutdown()


def test_download_unzip_parse_and_cache(tmp_path, server):
    url, md5, requests = server
    folder = download_movielens(tmp_path / "raw", url=url, md5=md5, progress=False)
    ratings = read_ratings(folder / "u.data")
    assert len(ratings) == 500
    assert read_titles(folder / "u.item") == {1: "Toy Story (1995)"}
    assert download_movielens(tmp_path / "raw", url=url, md5=md5, progress=False) == folder
    assert len(requests) == 1


def test_wrong_checksum_is_refused(tmp_path, server):
    url, _, _ = server
    with pytest.raises(DataError, match="damaged"):
        download_movielens(tmp_path / "raw", url=url, md5="0" * 32, progress=False)
    assert not (tmp_path / "raw" / "ml-100k.zip").exists()


def test_unreachable_server(tmp_path):
    with pytest.raises(DataError, match="could not download"):
        download_movielens(tmp_path, url="http://127.0.0.1:9/ml-100k.zip", progress=False)
