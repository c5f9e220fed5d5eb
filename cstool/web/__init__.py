"""The supervisors' web view (``cstool serve``): the routines' queues and reports in a browser.

Layers, outermost first:

- :mod:`cstool.web.app` — Datasette over the live journal, our plugin (routes,
  permissions, the path guard, SQL functions for the canned queries). The only
  module here that imports Datasette; it is imported by ``cstool serve`` alone.
- :mod:`cstool.web.pages` — one function per page; each calls the routines'
  library (shipcheck, chase, exceptions, handover, remarks, report) and returns
  a :class:`~cstool.web.render.Page`. No Datasette, no SQL of its own.
- :mod:`cstool.web.render` — typed values to masked text and links;
  :mod:`cstool.web.charts` — inline SVG; :mod:`cstool.web.filters` — the date
  period and the shop/platform scope, parsed and applied in one place.
"""
