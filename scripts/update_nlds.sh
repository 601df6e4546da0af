#!/usr/bin/env bash
# Refresh the NL Design System CSS in src/jeugdstelsel/web/core/static/web/nlds from npm.
# A development-time step (needs node/npm and the npm registry); the app itself never fetches
# anything. Usage: bash scripts/update_nlds.sh [COMPONENTS_VERSION] [TOKENS_VERSION]
# Afterwards: look at the pages (tests/web/test_web_nlds.py takes screenshots), run the web
# tests, and commit the folder with the new versions in its README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
components=${1:-9.0.4}   # @utrecht/component-library-css (EUPL-1.2)
tokens=${2:-7.4.1}       # @nl-design-system-unstable/voorbeeld-design-tokens (EUPL-1.2)
dest=src/jeugdstelsel/web/core/static/web/nlds
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm init -y >/dev/null &&
  npm install --no-audit --no-fund --ignore-scripts \
    "@utrecht/component-library-css@$components" \
    "@nl-design-system-unstable/voorbeeld-design-tokens@$tokens" >/dev/null)
lib="$tmp/node_modules/@utrecht/component-library-css"
theme="$tmp/node_modules/@nl-design-system-unstable/voorbeeld-design-tokens"
mkdir -p "$dest"
cp "$lib/dist/index.css" "$dest/utrecht-components.css"
cp "$lib/dist/html.css" "$dest/utrecht-html.css"
cp "$lib/LICENSE.md" "$dest/LICENSE-utrecht-component-library-css.md"
cp "$theme/dist/theme.css" "$dest/voorbeeld-theme.css"
cp "$theme/LICENSE.md" "$dest/LICENSE-voorbeeld-design-tokens.md"
cat > "$dest/README.md" <<README
# NL Design System CSS (copied from npm, do not edit)

| File | npm package | Version | Licence |
|---|---|---|---|
| utrecht-components.css | @utrecht/component-library-css (dist/index.css) | $components | EUPL-1.2 |
| utrecht-html.css | @utrecht/component-library-css (dist/html.css) | $components | EUPL-1.2 |
| voorbeeld-theme.css | @nl-design-system-unstable/voorbeeld-design-tokens (dist/theme.css) | $tokens | EUPL-1.2 |

The component CSS styles the \`utrecht-*\` classes (and, inside \`.utrecht-html\`, plain HTML);
its look comes from design tokens: CSS custom properties (\`--basis-*\`, \`--utrecht-*\`). The
base tokens are the NL Design System *voorbeeld* (example) theme, scoped to \`.voorbeeld-theme\`.
Utrecht's own tokens (@utrecht/design-tokens) are not used: their licence keeps them
proprietary to the municipality of Utrecht.

The app's colours and fonts are a theme file loaded after these (\`../thema-jeugdstelsel.css\`
by default; a municipality points the setting JEUGDSTELSEL_THEMA at its own, see docs/web.md).

Update: \`bash scripts/update_nlds.sh [components-version] [tokens-version]\` (needs npm), then
check the pages and commit this folder. Copied on $(date -u +%Y-%m-%d).
README
echo "NL Design System CSS bijgewerkt in $dest (componenten $components, tokens $tokens)"
