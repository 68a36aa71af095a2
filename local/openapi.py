"""`make openapi`: print the client API's OpenAPI document (the Makefile writes it to docs/openapi.json,
which a test keeps equal to this output, so API changes show up in review)."""

from client_api.handler import openapi_document


def main() -> None:
    print(openapi_document())


if __name__ == "__main__":
    main()
