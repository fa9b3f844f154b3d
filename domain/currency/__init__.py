"""Prepare, currency: exchange-rate history per pair, conversion as of a moment, and rate locks."""
