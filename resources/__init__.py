"""Data files shipped with Souk POS (fonts, translations, demo catalogue, dashboard assets).

Loaded through :mod:`importlib.resources`, never through paths relative to the source tree.
"""
