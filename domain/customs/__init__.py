"""Clearing customs and paying taxes: import declarations and the duty and tax engine."""
