"""The web app and REST API over a store.

    from armsgraph.web.app import create_app, serve
    serve("kb.db", host="127.0.0.1", port=8000, token=None)   # what `armsgraph serve` runs

See `armsgraph.web.app` for the security model (read-only without a token, strict CSP).
"""
