"""Compilation passes: checked tree → Python source (pysource) and → SQL (compile.sql)."""
