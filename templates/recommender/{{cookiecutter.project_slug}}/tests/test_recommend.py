"""`recommend`: a known user's unseen favourites; a stranger gets the popular items."""

from {{ cookiecutter.package_name }}.__main__ import main
from {{ cookiecutter.package_name }}.recommend import recommend


def test_known_user_gets_unseen_items(trained_project, ratings):
    folder, _ = trained_project
    result = recommend(1, 10, folder / "models" / "model.npz")
    assert result.known and len(result.items) == 10
    seen = set(ratings.loc[ratings["user"] == 1, "item"])
    assert not seen & {item for item, _, _ in result.items}
    assert result.seen == len(seen)


def test_unknown_user_gets_popular_items_and_a_message(trained_project, ratings, capsys):
    folder, _ = trained_project
    model = str(folder / "models" / "model.npz")
    assert main(["recommend", "--user", "99999", "-k", "5", "--model", model]) == 0
    out = capsys.readouterr().out
    assert "User 99999 is not in the training data" in out
    most_popular = ratings.groupby("item").size().idxmax()
    assert f"(item {most_popular}," in out.splitlines()[1]


def test_missing_model_fails_cleanly(tmp_path, capsys):
    assert main(["recommend", "--user", "1", "--model", str(tmp_path / "none.npz")]) == 1
    assert "no trained model" in capsys.readouterr().err
