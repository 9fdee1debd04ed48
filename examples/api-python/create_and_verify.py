"""Create a tenant through dbclone's REST API and check that it is isolated.

The seed's example, with the one addition the API asks for: the bearer token.

    dbclone serve &                       # listens on 127.0.0.1:8000
    python3 create_and_verify.py [BASE_URL] [TOKEN_FILE]

TOKEN_FILE defaults to the state directory's api_token (written, mode 0600,
the first time `dbclone serve` starts without --token-file).
"""
import os
import sys

import requests

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
token_file = sys.argv[2] if len(sys.argv) > 2 else os.path.expanduser("~/.local/state/dbclone/api_token")
with open(token_file) as f:
    headers = {"Authorization": "Bearer " + f.read().strip()}

response = requests.post(
    f"{base}/api/v1/cloning/create",
    json={"tenant_id": "tenant_001", "database_type": "sqlite", "root_version": "v1.0"},
    headers=headers,
)
response.raise_for_status()
connection = response.json()["connection"]
print("created:", connection["database"], "at", connection["location"])

report = requests.get(f"{base}/api/v1/cloning/verify/tenant_001", headers=headers).json()
print("isolated:", report["isolated"])
sys.exit(0 if report["isolated"] else 1)
