"""The local runtime: the platform on one machine over emulated AWS. Never deployed."""
