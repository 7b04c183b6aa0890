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


def test_k_above_the_unrated_movies_lists_only_those_and_says_so(trained_project, ratings, capsys):
    folder, _ = trained_project
    model = str(folder / "models" / "model.npz")
    seen = set(ratings.loc[ratings["user"] == 1, "item"])
    unrated = ratings["item"].nunique() - len(seen)
    assert main(["recommend", "--user", "1", "-k", "5000", "--model", model]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"Top {unrated} for user 1")
    assert f"more than the {unrated} movies this user has not rated" in lines[1]
    listed = [line for line in lines[2:] if "(item " in line]
    assert len(listed) == unrated and not any("-inf" in line for line in listed)
    items = {int(line.split("(item ")[1].split(",")[0]) for line in listed}
    assert not items & seen


def test_a_file_that_is_not_a_model_is_one_line(tmp_path, capsys):
    bad = tmp_path / "model.npz"
    bad.write_text("not a model\n")
    assert main(["recommend", "--user", "1", "--model", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "not a model saved by `train`" in err
    assert len(err.strip().splitlines()) == 1


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
