#!/usr/bin/env bash
# Refresh vendored front-end files from the npm registry (needs npm; not run at build or run time).
# htmx itself comes with django-htmx ({% htmx_script %}), pinned in requirements.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "echarts@${ECHARTS_VERSION:-6.1.0}" >/dev/null && tar xzf echarts-*.tgz)
dest=gongzhi/core/static/vendor/echarts
cp "$tmp/package/dist/echarts.common.min.js" "$tmp/package/i18n/langZH.js" "$tmp/package/LICENSE" "$dest/"
echo "echarts $(grep '"version"' "$tmp/package/package.json")" > "$dest/VERSION"
echo "refreshed $dest"
