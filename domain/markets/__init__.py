"""Prepare, the markets: destination countries with their taxes, low-value import regimes, duty rates,
required certifications and marketplace fees, as effective-dated reference rules."""
