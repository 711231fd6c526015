"""The Discord front end: the app and its commands built from the request table (app.py), cards as components v2
(layout.py) with their buttons (views.py), autocomplete, the "Can I run this?" message menu (menus.py), saved rigs
(rigs.py), member reports (reports.py), rate limits (limits.py) and `rigfit preview` (preview.py)."""
