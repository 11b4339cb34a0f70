"""Importers that turn real traces and host snapshots into ops of the command language."""
