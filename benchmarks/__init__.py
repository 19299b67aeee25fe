"""Benchmarks for langgraph_lite, side by side with LangGraph: ``python -m benchmarks``.

See ``benchmarks/README.md`` for what each scenario runs and how the numbers are made.
"""
