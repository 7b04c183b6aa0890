"""The real-data loader, run against a small file in the real format served from 127.0.0.1."""

import hashlib
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from {{ cookiecutter.package_name }}.data import (
    CREDITCARD_FILE,
    FEATURES,
    TARGET,
    DataError,
    load_creditcard,
    make_synthetic,
)


def write_kaggle_csv(path, frame):
    """Write *frame* the way Kaggle's creditcard.csv is written: quoted header and labels."""
    lines = [",".join(f'"{column}"' for column in FEATURES + [TARGET])]
    for row in frame.itertuples(index=False):
        lines.append(",".join([*(repr(float(v)) for v in row[:-1]), f'"{row[-1]}"']))
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def server(tmp_path):
    """A real HTTP server on 127.0.0.1 serving a small creditcard.csv; counts the requests."""
    served = tmp_path / "served"
    served.mkdir()
    write_kaggle_csv(served / CREDITCARD_FILE, make_synthetic(300, 6, seed=3))
    requests = []

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(served)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/{CREDITCARD_FILE}"
    sha256 = hashlib.sha256((served / CREDITCARD_FILE).read_bytes()).hexdigest()
    yield url, sha256, requests
    httpd.shutdown()


def test_download_with_checksum_then_cache(tmp_path, server):
    url, sha256, requests = server
    raw = tmp_path / "raw"
    frame = load_creditcard(raw, url=url, sha256=sha256, progress=False)
    assert list(frame.columns) == FEATURES + [TARGET]
    assert len(frame) == 300 and int(frame[TARGET].sum()) == 6
    assert frame[TARGET].dtype.kind == "i"  # the quoted labels were parsed
    load_creditcard(raw, url=url, sha256=sha256, progress=False)
    assert len(requests) == 1  # the second load used the cached file


def test_wrong_checksum_is_refused_and_nothing_is_kept(tmp_path, server):
    url, _, _ = server
    raw = tmp_path / "raw"
    with pytest.raises(DataError, match="damaged"):
        load_creditcard(raw, url=url, sha256="0" * 64, progress=False)
    assert not (raw / CREDITCARD_FILE).exists()


def test_without_pinned_checksum_the_first_copy_is_recorded(tmp_path, server):
    url, sha256, _ = server
    raw = tmp_path / "raw"
    load_creditcard(raw, url=url, sha256=None, progress=False)
    assert (raw / "creditcard.csv.sha256").read_text().strip() == sha256
    with open(raw / CREDITCARD_FILE, "a") as handle:  # the cached file is damaged later
        handle.write("1,2,3\n")
    with pytest.raises(DataError, match="changed since it was first checked"):
        load_creditcard(raw, url=url, sha256=None, progress=False)


def test_unreachable_server_gives_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="could not download"):
        load_creditcard(tmp_path, url="http://127.0.0.1:9/creditcard.csv", progress=False)
