"""Topology: which services exist, which files belong to each, and which services share a host."""
