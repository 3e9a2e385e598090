#!/usr/bin/env bash
# Refreshes schema/admin_2026-10.json.gz, the real Admin GraphQL schema, from the @shopify/dev-mcp npm package
# (ISC). Only the one file is taken; the package itself is not installed (it pulls in the Shopify CLI and more).
set -euo pipefail
version="${1:-1.16.0}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@shopify/dev-mcp@${version}" >/dev/null)
tar -xzf "$work"/shopify-dev-mcp-*.tgz -C "$work" package/dist/data/admin_2026-10.json.gz
cp "$work/package/dist/data/admin_2026-10.json.gz" "$root/schema/admin_2026-10.json.gz"
echo "schema/admin_2026-10.json.gz refreshed from @shopify/dev-mcp@${version}"
