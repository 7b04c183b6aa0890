"""The project's package; `python -m {{ cookiecutter.package_name }} --help` lists its commands."""

__version__ = "0.1.0"

SEED = {{ cookiecutter.random_seed }}
"""Seed of the data, the splits and the models, fixed when the project was generated."""
