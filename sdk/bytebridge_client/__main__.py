"""python -m bytebridge_client: the CLI."""

from bytebridge_client.cli import main

main()
