"""Empirical engine (torch): tiny transformers, batched training, measurements."""
