"""aikb: a source-traceable knowledge base of the China/US AI race."""
