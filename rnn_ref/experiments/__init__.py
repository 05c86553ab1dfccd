"""Experiments that measure: the tuning ladder and the benchmarks.

Each returns JSON-ready results; `rnn_ref.site` renders them, `rnn_ref.cli` runs them.
"""
