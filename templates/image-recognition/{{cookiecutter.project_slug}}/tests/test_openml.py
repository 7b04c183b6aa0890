"""MNIST through scikit-learn's OpenML fetcher, against a small OpenML look-alike on 127.0.0.1.

The fetcher is scikit-learn's own, unchanged; only the addresses of OpenML's API
are pointed at a local server that answers in OpenML's formats (JSON metadata,
a gzipped ARFF file with its MD5 checksum).
"""

import gzip
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
import sklearn.datasets._openml as openml

from {{ cookiecutter.package_name }}.data import DataError, load_openml_set

SIDE, ROWS = 28, 30  # 30 random images in MNIST's format


def arff(rows, rng):
    lines = ["@RELATION mnist_784"]
    lines += [f"@ATTRIBUTE pixel{i + 1} NUMERIC" for i in range(SIDE * SIDE)]
    lines += ["@ATTRIBUTE class {0,1,2,3,4,5,6,7,8,9}", "@DATA"]
    for row in range(rows):
        pixels = rng.integers(0, 256, SIDE * SIDE)
        lines.append(",".join(map(str, pixels)) + f",{row % 10}")
    return ("\n".join(lines) + "\n").encode()


# Where scikit-learn keeps OpenML's addresses: private names, which a new version may move.
ADDRESSES = ("_DATA_INFO", "_DATA_FEATURES", "_DATA_QUALITIES")


def test_scikit_learn_keeps_openmls_addresses_where_these_tests_point_them():
    """Failing loudly: were they moved, these tests would reach for the real OpenML."""
    import sklearn

    missing = [name for name in ADDRESSES if not hasattr(openml, name)]
    assert not missing, (
        f"scikit-learn {sklearn.__version__} has no {', '.join(missing)} in "
        "sklearn.datasets._openml: point the test server at its new names"
    )


@pytest.fixture
def openml_server(monkeypatch):
    body = arff(ROWS, np.random.default_rng(0))
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/data/554":
                reply = {
                    "data_set_description": {
                        "id": "554",
                        "name": "mnist_784",
                        "version": "1",
                        "format": "ARFF",
                        "status": "active",
                        "file_id": "52667",
                        "default_target_attribute": "class",
                        "url": f"{base}/download/mnist_784.arff",
                        "md5_checksum": hashlib.md5(body).hexdigest(),
                        "description": "tiny",
                    }
                }
            elif self.path == "/features/554":
                features = [
                    {
                        "index": str(i),
                        "name": f"pixel{i + 1}",
                        "data_type": "numeric",
                        "is_target": "false",
                        "is_ignore": "false",
                        "is_row_identifier": "false",
                        "number_of_missing_values": "0",
                    }
                    for i in range(SIDE * SIDE)
                ]
                features.append(
                    {
                        "index": str(SIDE * SIDE),
                        "name": "class",
                        "data_type": "nominal",
                        "nominal_value": [str(i) for i in range(10)],
                        "is_target": "true",
                        "is_ignore": "false",
                        "is_row_identifier": "false",
                        "number_of_missing_values": "0",
                    }
                )
                reply = {"data_features": {"feature": features}}
            elif self.path == "/qualities/554":
                reply = {
                    "data_qualities": {
                        "quality": [{"name": "NumberOfInstances", "value": f"{ROWS}.0"}]
                    }
                }
            elif self.path == "/download/mnist_784.arff":
                self._send(gzip.compress(body), "application/octet-stream", gzipped=True)
                return
            else:
                self.send_error(404)
                return
            self._send(json.dumps(reply).encode(), "application/json")

        def _send(self, data, kind, gzipped=False):
            self.send_response(200)
            self.send_header("Content-Type", kind)
            if gzipped:
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    # setattr raises, rather than adds, a name scikit-learn no longer has
    monkeypatch.setattr(openml, "_DATA_INFO", base + "/data/{}")
    monkeypatch.setattr(openml, "_DATA_FEATURES", base + "/features/{}")
    monkeypatch.setattr(openml, "_DATA_QUALITIES", base + "/qualities/{}")
    yield requests
    httpd.shutdown()


def test_mnist_is_fetched_checked_and_cached(tmp_path, openml_server):
    data = load_openml_set("mnist", tmp_path / "processed", tmp_path / "raw")
    assert data.images.shape == (ROWS, 1, SIDE, SIDE)
    assert data.images.min() >= 0 and data.images.max() <= 1
    assert data.labels.tolist() == [row % 10 for row in range(ROWS)]
    assert (tmp_path / "processed" / "mnist.npz").is_file()
    served = len(openml_server)
    again = load_openml_set("mnist", tmp_path / "processed", tmp_path / "raw")
    assert len(openml_server) == served  # the second load reads the cached arrays
    np.testing.assert_array_equal(again.images, data.images)


@pytest.mark.filterwarnings("ignore:A network error occurred")  # scikit-learn retries first
def test_no_network_gives_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(openml, "_DATA_INFO", "http://127.0.0.1:9/data/{}")  # raises if moved
    with pytest.raises(DataError, match="could not download mnist"):
        load_openml_set("mnist", tmp_path / "processed", tmp_path / "raw")
