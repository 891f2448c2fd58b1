"""Detectors: decoders, the fingerprint matcher and the rule engine."""
