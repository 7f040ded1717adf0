"""The centre's report (the manual's "inzichtelijke datagrafiek"): pure functions from domain state to
HTML and PDF bytes. Jinja2 templates in templates/, charts by matplotlib, the PDF by WeasyPrint.

Rendering is CPU work of a second or more: callers on the event loop run it in a thread.
"""
