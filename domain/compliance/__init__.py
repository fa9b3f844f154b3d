"""Prepare, being legally ready: the seller's registrations and its products' certifications, checked
against what each market requires."""
