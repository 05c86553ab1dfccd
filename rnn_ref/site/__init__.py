"""The tooling that produces the site: paths, figures, reports, notebooks and `regen`.

Nothing here is imported by the core or the classifier; it imports them (see
`tests/test_layers.py`).
"""
