"""ByteBridge domain code, shipped to Lambda as the shared layer."""
