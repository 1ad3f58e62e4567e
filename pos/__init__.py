"""Souk POS domain core: money, catalogue, cart, checkout, journal, business day, storage.

This package never imports Qt widgets nor any network library.
"""
