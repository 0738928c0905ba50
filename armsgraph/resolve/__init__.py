"""Resolution: one entity per real-world thing, within a document and across documents."""
