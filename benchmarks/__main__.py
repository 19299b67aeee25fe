"""``python -m benchmarks``: every benchmark, one table (see ``benchmarks/README.md``)."""

from benchmarks.cli import main

main()
