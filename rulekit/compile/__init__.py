"""Compilation passes: checked tree → Python source (pysource) and → SQL (see backends)."""
