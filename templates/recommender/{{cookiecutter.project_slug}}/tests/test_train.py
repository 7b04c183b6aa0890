"""Training, evaluation and the report: EASE must clearly beat popularity."""

import json

import numpy as np

from {{ cookiecutter.package_name }}.evaluate import activity_groups, per_user_ndcg, ranking_metrics, top_k
from {{ cookiecutter.package_name }}.models import L2_GRID
from {{ cookiecutter.package_name }}.progress import Steps
from {{ cookiecutter.package_name }}.train import split, train, tune_l2

METRICS = {"precision@10", "recall@10", "ndcg@10", "hit_rate@10", "coverage@10"}


def test_outputs_and_metrics(trained_project):
    folder, _ = trained_project
    payload = json.loads((folder / "reports" / "metrics.json").read_text())
    for side in ("model", "baseline"):
        assert set(payload[side]["metrics"]) == METRICS
    assert (folder / "models" / "model.npz").is_file()
    for figure in payload["figures"]:
        assert (folder / figure["path"]).read_bytes()[:4] == b"\x89PNG"
    assert {figure["path"] for figure in payload["figures"]} == {
        "reports/figures/long_tail.png",
        "reports/figures/ndcg_by_activity.png",
        "reports/figures/l2_tuning.png",
    }


def test_ease_beats_popularity(trained_project):
    # Per-user NDCG@10 has a standard deviation of about 0.27, so the mean over 943 test
    # users has a standard error of about 0.27 / sqrt(943) = 0.009 (the bootstrap
    # intervals in metrics.json are about +-0.018). Over six seeds checked (42, 7, 123,
    # 28, 2024, 395370105) EASE scored 0.462-0.483 and 2.06-2.21 times popularity
    # (whose ratio interval is about +-0.1): the floors 0.40 and 1.5x sit 6 standard
    # errors and more below them, so a new seed does not fail them by chance.
    _, payload = trained_project
    model, baseline = payload["model"]["metrics"], payload["baseline"]["metrics"]
    assert model["ndcg@10"] >= 1.5 * baseline["ndcg@10"]
    assert model["ndcg@10"] >= 0.40
    assert model["coverage@10"] > baseline["coverage@10"]


def test_intervals_hold_the_estimates(trained_project):
    _, payload = trained_project
    for side in ("model", "baseline"):
        low, high = payload[side]["intervals"]["ndcg@10"]
        assert low < payload[side]["metrics"]["ndcg@10"] < high
        assert high - low < 0.1  # 943 users: about 4 standard errors of 0.01
    low, high = payload["comparison"]["ndcg@10_ratio_interval"]
    assert low < payload["comparison"]["ndcg@10_ratio"] < high


def test_l2_is_chosen_on_validation_and_reported(trained_project):
    _, payload = trained_project
    tuning = payload["tuning"]
    assert tuning["grid"] == list(L2_GRID)
    best = tuning["grid"][int(np.argmax(tuning["validation_ndcg@10"]))]
    assert tuning["chosen_l2"] == best
    assert payload["model"]["name"] == f"EASE (L2 {best:g})"
    assert any(f"L2 penalty is {best:g}, chosen from the grid" in f for f in payload["findings"])


def test_validation_is_carved_from_training_only():
    generator = np.random.default_rng(0)
    matrix = (generator.random((60, 80)) < 0.3).astype(np.float32)
    train_set, test_set = split(matrix, np.random.default_rng(1))
    hidden = test_set.copy()
    first = tune_l2(train_set, [10.0, 100.0], np.random.default_rng(2))
    test_set[:] = 0  # whatever the test split holds, tuning sees only train_set
    assert tune_l2(train_set, [10.0, 100.0], np.random.default_rng(2)) == first
    assert first["validation_interactions"] < train_set.sum() and hidden.sum() > 0


def test_findings_follow_the_numbers(trained_project):
    _, payload = trained_project
    text = " ".join(payload["findings"])
    comparison = payload["comparison"]
    assert f"is {comparison['ndcg@10_ratio']:.2f} times popularity's" in text
    missed = comparison["users_without_a_hit"]["model"]
    assert f"For {missed:,} of the {payload['dataset']['evaluated_users']:,} test users" in text
    distinct = comparison["distinct_items_recommended"]["model"]
    assert f"top-10 lists use {distinct:,} different movies" in text
    for group in (comparison["by_activity"][0], comparison["by_activity"][-1]):
        label = f"({group['training_interactions']} training ratings, {group['users']} users)"
        assert label in text
    readme = (trained_project[0] / "README.md").read_text()
    assert all(f"- {finding}" in readme for finding in payload["findings"])


def test_activity_groups_never_overlap():
    activity = np.array([16, 16, 16, 16, 20, 31, 32, 32, 57, 58, 104, 105, 590])
    groups = activity_groups(activity)
    masks = np.array([mask for _, mask in groups])
    assert (masks.sum(axis=0) == 1).all()  # every user in exactly one group
    ranges = [(int(label.split("-")[0]), int(label.split("-")[-1])) for label, _ in groups]
    assert all(low <= high for low, high in ranges)
    assert all(ranges[i][1] < ranges[i + 1][0] for i in range(len(ranges) - 1))  # disjoint
    for (low, high), (_, mask) in zip(ranges, groups, strict=True):
        assert activity[mask].min() == low and activity[mask].max() == high


def test_readme_shows_the_results(trained_project):
    folder, payload = trained_project
    readme = (folder / "README.md").read_text()
    assert f"| NDCG@10 | {payload['model']['metrics']['ndcg@10']:.3f} |" in readme


def test_split_holds_out_a_fifth_of_each_user():
    matrix = np.zeros((3, 50), dtype=np.float32)
    matrix[0, :20] = matrix[1, :10] = matrix[2, :1] = 1
    train_set, test_set = split(matrix, np.random.default_rng(0))
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
    # The chosen L2 alone as the grid: the test split and the model are the same as in
    # the first run (tuning's own repeatability is tested above), at a sixth of the cost.
    again = train(
        ratings,
        {},
        {"name": "synthetic", "description": "the synthetic set"},
        project_dir=tmp_path,
        l2_grid=[first["tuning"]["chosen_l2"]],
        steps=Steps(5, quiet=True),
    )
    assert again["model"] == first["model"] and again["baseline"] == first["baseline"]
