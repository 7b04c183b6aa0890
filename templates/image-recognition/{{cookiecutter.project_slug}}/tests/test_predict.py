"""`predict` classifies image files of any size, and refuses files it cannot read."""

from PIL import Image

from {{ cookiecutter.package_name }}.__main__ import main


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


def test_unreadable_file_gets_a_clear_message(tmp_path, trained_project, capsys):
    folder, _ = trained_project
    bad = tmp_path / "notes.png"
    bad.write_text("hello")
    assert main(["predict", str(bad), "--model", str(folder / "models" / "model.pt")]) == 1
    assert "notes.png is not a readable image" in capsys.readouterr().err


def test_missing_model(tmp_path, capsys):
    image = tmp_path / "x.png"
    Image.new("L", (8, 8)).save(image)
    assert main(["predict", str(image), "--model", str(tmp_path / "none.pt")]) == 1
    assert "no trained model" in capsys.readouterr().err
