"""Training, evaluation and the report: EASE must clearly beat popularity."""

import json

import numpy as np

from {{ cookiecutter.package_name }}.evaluate import per_user_ndcg, ranking_metrics, top_k
from {{ cookiecutter.package_name }}.progress import Steps
from {{ cookiecutter.package_name }}.train import split, train

METRICS = {"precision@10", "recall@10", "ndcg@10", "hit_rate@10", "coverage@10"}


def test_outputs_and_metrics(trained_project):
    folder, _ = trained_project
    payload = json.loads((folder / "reports" / "metrics.json").read_text())
    for side in ("model", "baseline"):
        assert set(payload[side]["metrics"]) == METRICS
    assert (folder / "models" / "model.npz").is_file()
    for figure in payload["figures"]:
        assert (folder / figure["path"]).read_bytes()[:4] == b"\x89PNG"


def test_ease_beats_popularity(trained_project):
    _, payload = trained_project
    model, baseline = payload["model"]["metrics"], payload["baseline"]["metrics"]
    assert model["ndcg@10"] >= 1.5 * baseline["ndcg@10"]
    assert model["ndcg@10"] >= 0.40
    assert model["coverage@10"] > baseline["coverage@10"]


def test_readme_shows_the_results(trained_project):
    folder, payload = trained_project
    readme = (folder / "README.md").read_text()
    assert f"| NDCG@10 | {payload['model']['metrics']['ndcg@10']:.3f} |" in readme


def test_split_holds_out_a_fifth_of_each_user():
    matrix = np.zeros((3, 50), dtype=np.float32)
    matrix[0, :20] = matrix[1, :10] = matrix[2, :1] = 1
    train_set, test_set = split(matrix, seed=0)
    assert test_set.sum(axis=1).tolist() == [4, 2, 0]
    assert np.array_equal(train_set + test_set, matrix)


def test_ranking_excludes_seen_items_and_scores_a_perfect_list():
    seen = np.array([[1, 0, 0, 0, 0]], dtype=np.float32)
    scores = np.array([[9.0, 1.0, 5.0, 4.0, 0.0]])
    recommended = top_k(scores, seen, k=2)
    assert recommended.tolist() == [[2, 3]]  # item 0 was seen, so it is never recommended
    held_out = np.array([[0, 0, 1, 1, 0]], dtype=np.float32)
    assert per_user_ndcg(recommended, held_out, k=2).tolist() == [1.0]
    assert ranking_metrics(recommended, held_out, k=2)["recall@2"] == 1.0


def test_reruns_give_identical_metrics(tmp_path, ratings, trained_project):
    _, first = trained_project
    again = train(
        ratings,
        {},
        {"name": "synthetic", "description": "the synthetic set"},
        project_dir=tmp_path,
        steps=Steps(5, quiet=True),
    )
    assert again["model"] == first["model"] and again["baseline"] == first["baseline"]
