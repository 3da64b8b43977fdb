"""The generalization family (being written; registers its bounds on import)."""
