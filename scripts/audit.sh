#!/usr/bin/env bash
# `npm audit --omit=dev --audit-level=high`, failing on high/critical findings in runtime dependencies.
# Where the registry's advisory endpoint cannot be reached (this project's sandbox answers 405), say so and go on:
# a missing answer is not a clean bill of health, and the line printed makes that visible in the CI log.
set -uo pipefail
out=$(npm audit --omit=dev --audit-level=high 2>&1)
rc=$?
echo "$out" | grep -v 'Unknown user config' | tail -20
if [ $rc -ne 0 ]; then
  if echo "$out" | grep -q -e 'audit endpoint returned an error' -e 'ENOTFOUND' -e 'EAI_AGAIN' -e '405 Method Not Allowed'; then
    echo "npm audit: the advisory endpoint is not reachable from here; audit NOT performed (run it where the registry's audit API is available)."
    exit 0
  fi
  echo "npm audit: high or critical findings in runtime dependencies." >&2
  exit 1
fi
