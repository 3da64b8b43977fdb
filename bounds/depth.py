"""The depth family (being written; registers its bounds on import)."""
