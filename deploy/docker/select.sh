#!/bin/bash
# What one service's image needs from the uv workspace, and nothing else
# (the `select` stage of deploy/docker/Dockerfile; tests/integration/deploy runs it too).
#
#   deploy/docker/select.sh SERVICE OUT    from the repository root, with uv on the PATH
#
# OUT/requirements.txt   the service's locked third-party requirements, with their hashes
# OUT/src/<member>/      the workspace packages it depends on (itself and the libs it uses)
#
# Both depend only on that service's dependency set, so the image layers built from them
# stay cached when another service changes.
set -euo pipefail

service=${1:?usage: select.sh SERVICE OUT}
out=${2:?usage: select.sh SERVICE OUT}
package="ac-${service}"

mkdir -p "${out}/src"
uv export --quiet --frozen --no-dev --package "${package}" --no-emit-workspace \
  --no-header --no-annotate \
  --format requirements.txt --output-file "${out}/requirements.txt" >/dev/null
# The workspace members come out as local paths (`./libs/events`).
uv export --quiet --frozen --no-dev --package "${package}" --no-editable --no-hashes \
  --no-header --no-annotate --format requirements.txt \
  | sed -n 's|^\./||p' \
  | while read -r member; do
      mkdir -p "${out}/src/$(dirname "${member}")"
      cp -R "${member}" "${out}/src/${member}"
    done
find "${out}/src" \( -name __pycache__ -o -name '*.egg-info' \) -prune -exec rm -rf {} +
