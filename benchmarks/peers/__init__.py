"""The peer scripts the benchmark drives: re-implementations of how people write them."""
