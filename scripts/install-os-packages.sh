#!/usr/bin/env bash
# The OS packages the tests need (Debian/Ubuntu), installed only when a command is missing. Run as root
# (`sudo scripts/install-os-packages.sh`); .ci/run runs it first.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# command -> Debian package
declare -A packages=(
  [promtool]=prometheus
  [prometheus]=prometheus
  [amtool]=prometheus-alertmanager
  [prometheus-alertmanager]=prometheus-alertmanager
  [prometheus-postgres-exporter]=prometheus-postgres-exporter
  [chromium]=chromium
  [ffmpeg]=ffmpeg
)
need=()
for command in "${!packages[@]}"; do
  command -v "$command" >/dev/null || need+=("${packages[$command]}")
done
if [ ${#need[@]} -eq 0 ]; then
  echo "OS packages: all present"
  exit 0
fi
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
echo "OS packages: installing ${need[*]}"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
