#!/usr/bin/env bash
# Refreshes schema/admin_2026-10.json.gz and schema/customer_2026-10.json.gz, the real Admin and Customer Account
# GraphQL schemas, from the @shopify/dev-mcp npm package
# (ISC). Only the one file is taken; the package itself is not installed (it pulls in the Shopify CLI and more).
set -euo pipefail
version="${1:-1.16.0}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@shopify/dev-mcp@${version}" >/dev/null)
# The Customer Account API schema comes from the same package: the account page's emulator validates against it.
for file in admin_2026-10.json.gz customer_2026-10.json.gz; do
  tar -xzf "$work"/shopify-dev-mcp-*.tgz -C "$work" "package/dist/data/${file}"
  cp "$work/package/dist/data/${file}" "$root/schema/${file}"
  echo "schema/${file} refreshed from @shopify/dev-mcp@${version}"
done
