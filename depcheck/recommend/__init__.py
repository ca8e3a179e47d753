"""Recommendations: per-host plans, per-conflict advice, images and Compose suggestions."""
