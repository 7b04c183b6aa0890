"""Allow ``python -m scaffolder`` as a synonym for the ``mlscaffold`` command."""

from scaffolder.cli import main

if __name__ == "__main__":
    main()
