"""Extraction: article text in, plain records out. The only package that imports spaCy."""

from __future__ import annotations
