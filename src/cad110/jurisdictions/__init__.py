"""The command tree, grids, and point → station/grid lookup."""
