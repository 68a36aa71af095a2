"""`make account EMAIL=…`: create an account on the running local platform; JSON on the last line."""

import argparse
import json
import sys
import urllib.error
import urllib.request


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--email", required=True)
    parser.add_argument("--port", type=int, default=20000)
    parser.add_argument("--no-card", action="store_true", help="create it without a bound card")
    args = parser.parse_args()
    request = urllib.request.Request(
        f"http://127.0.0.1:{args.port}/local/accounts",
        data=json.dumps({"email": args.email, "cardBound": not args.no_card}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            print(json.dumps(json.loads(response.read())))
    except urllib.error.HTTPError as exc:
        sys.exit(f"error: {json.loads(exc.read()).get('error')}")
    except urllib.error.URLError:
        sys.exit(f"error: no platform on port {args.port}; start it with `make run`")


if __name__ == "__main__":
    main()
