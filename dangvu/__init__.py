"""Đảng vụ — party-affairs work of grassroots party organizations."""

__version__ = "0.1.0"
