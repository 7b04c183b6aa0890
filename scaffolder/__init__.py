"""mlscaffold: generate machine-learning portfolio projects that work the moment they exist."""

__version__ = "0.1.0"
