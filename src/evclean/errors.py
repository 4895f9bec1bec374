"""Errors the library raises; the CLI turns them into one line and an exit status."""

from __future__ import annotations


class EvcleanError(Exception):
    """Base class of every error evclean raises on purpose."""


class InputError(EvcleanError):
    """An input could not be read or decoded (missing, empty, binary, too large...)."""


class NoArticleError(EvcleanError):
    """The page was read, but holds no article text."""
