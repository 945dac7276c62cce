"""Everything that is not a window. Never imports Qt."""
