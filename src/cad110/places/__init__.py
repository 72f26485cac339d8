"""The standard address library (标准地址): addresses, points of interest, search and geocoding.

A core concept beside jurisdictions: intake geocodes a typed address through it, the desk and
the board search it as the call-taker types, and a map click asks it for the nearest address.
"""
