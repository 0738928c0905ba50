"""Ingest: read articles from files and keep only the article text."""

from armsgraph.ingest.readers import read_paths

__all__ = ["read_paths"]
