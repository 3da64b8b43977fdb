"""The approximation family (being written; registers its bounds on import)."""
