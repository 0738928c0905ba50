"""Extraction: events with roles, status, date, attribution and evidence."""
