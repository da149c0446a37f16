#!/usr/bin/env bash
# Refresh the web app's vendored front-end files from the npm registry (run by hand, then
# commit): htmx and the Vazirmatn font. Nothing is fetched at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
HTMX=${HTMX:-htmx.org@2}
VAZIRMATN=${VAZIRMATN:-vazirmatn@33}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$HTMX" "$VAZIRMATN" >/dev/null)
for f in "$work"/*.tgz; do mkdir -p "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
dest=pipeline/web/static/vendor
cp "$work"/htmx.org-*/package/dist/htmx.min.js "$dest/htmx.min.js"
cp "$work"/htmx.org-*/package/LICENSE "$dest/htmx.LICENSE"
cp "$work"/vazirmatn-*/package/fonts/webfonts/Vazirmatn\[wght\].woff2 "$dest/Vazirmatn-Variable.woff2"
cp "$work"/vazirmatn-*/package/OFL.txt "$dest/Vazirmatn.OFL.txt"
ls -l "$dest"
