"""The analyst's view: a read-only JSON API and a server-rendered dashboard over the results database.

`app.create_app` assembles both; `queries.py` is the only module that reads the database; the
dashboard's charts are inline SVG drawn on the server (`charts.py`), so pages need no network.
"""
