"""`predict` classifies image files of any size, and refuses what it cannot read in one line."""

import pytest
from PIL import Image

from {{ cookiecutter.package_name }} import train
from {{ cookiecutter.package_name }}.__main__ import MAX_EPOCHS, MODEL_FILE, _parser, main


def save_digit(digits, index, path, size=64):
    """Save a digit as a dark-on-light PNG of another size, as if drawn on paper."""
    pixels = (255 - digits.images[index, 0] * 255).astype("uint8")
    Image.fromarray(pixels, "L").resize((size, size), Image.NEAREST).save(path)


def test_predict_reads_png_of_any_size(tmp_path, trained_project, digits, capsys):
    folder, _ = trained_project
    files = []
    for index in range(30):
        files.append(tmp_path / f"digit{index}.png")
        save_digit(digits, index, files[-1], size=24 + index)
    model = str(folder / "models" / "model.pt")
    assert main(["predict", *map(str, files), "--model", model]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 30
    predicted = [line.split("\t")[1] for line in lines]
    correct = sum(p == str(digits.labels[i]) for i, p in enumerate(predicted))
    assert correct >= 27  # most of them, after resizing and inverting


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda folder: folder / "missing.png", "missing.png does not exist"),
        (lambda folder: folder, "is a folder, not an image file"),
        (lambda folder: _write(folder / "notes.png", "hello"), "notes.png is not a readable image"),
    ],
    ids=["missing", "folder", "unreadable"],
)
def test_bad_image_gets_one_line(tmp_path, trained_project, capsys, make, message):
    folder, _ = trained_project
    image = make(tmp_path)
    assert main(["predict", str(image), "--model", str(folder / "models" / "model.pt")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda folder: folder / "none.pt", "no trained model"),
        (lambda folder: folder, "is a folder, not a model file"),
        (lambda folder: _write(folder / "junk.pt", "not a model"), "is not a model saved by"),
    ],
    ids=["missing", "folder", "not-a-checkpoint"],
)
def test_bad_model_gets_one_line(tmp_path, capsys, make, message):
    image = tmp_path / "x.png"
    Image.new("L", (8, 8)).save(image)
    assert main(["predict", str(image), "--model", str(make(tmp_path))]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and len(err.splitlines()) == 1


def test_every_option_has_a_help_text_without_a_literal_percent(capsys):
    for command in ([], ["train"], ["predict"]):
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        text = capsys.readouterr().out
        assert "%%" not in text
    parser = _parser()
    for action in parser._subparsers._group_actions[0].choices.values():
        for option in action._actions:
            assert option.help, f"{option.dest} has no help"


def test_command_line_defaults_agree_with_training():
    assert MODEL_FILE == train.MODEL_FILE and MAX_EPOCHS == train.MAX_EPOCHS


def _write(path, text):
    path.write_text(text)
    return path


def test_a_missing_data_folder_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--dataset", "folder", "--data-dir", str(tmp_path / "nowhere")])
    assert exit_.value.code == 2
    assert "nowhere: no such folder" in capsys.readouterr().err
