"""Souk sync: the wire protocol, the stall's client and the organisers' server."""
