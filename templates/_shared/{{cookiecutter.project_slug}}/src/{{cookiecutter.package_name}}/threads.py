"""One thread for the numeric libraries: the same numbers on every machine, at a steady speed.

BLAS, OpenMP (scikit-learn's gradient boosting{% if cookiecutter._torch %}) and PyTorch{% else %}){% endif %} spread their work over every
core by default. The results then depend on the core count (floating-point sums
added in another order round differently), and on a busy machine such as a 2-core
CI runner the threads fight over the cores: training ran 4-7x slower than on one
thread. So every command and the test suite call ``pin_threads()`` first.
"""

from __future__ import annotations

import os

THREADS = 1
# Read by OpenBLAS, MKL and OpenMP when they load, so set before numpy is imported;
# threadpoolctl below limits the libraries that were loaded before this ran.
_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def pin_threads(threads: int = THREADS) -> None:
    """Limit BLAS, OpenMP{% if cookiecutter._torch %} and PyTorch{% endif %} to *threads* threads for the rest of the process."""
    for variable in _VARIABLES:
        os.environ[variable] = str(threads)
    # Load the native libraries now, so that threadpoolctl finds and limits them.
    import numpy  # noqa: F401  (BLAS)
{%- if "scikit-learn" in cookiecutter._dependencies | join(" ") %}
    import sklearn.ensemble  # noqa: F401  (OpenMP)
{%- endif %}
{%- if cookiecutter._torch %}
    import torch
{%- endif %}
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)
{%- if cookiecutter._torch %}
    torch.set_num_threads(threads)
{%- endif %}
