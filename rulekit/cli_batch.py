"""Batch commands of the CLI (`sql`, `profile`, `freeze`): registered on the main typer app."""

from __future__ import annotations
