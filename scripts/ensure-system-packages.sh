#!/usr/bin/env bash
# Install the Debian/Ubuntu packages mapper needs, only when they are missing.
#   scripts/ensure-system-packages.sh python postgis browser gdal
set -euo pipefail

need=()
postgres_version() {
  ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1
}

for what in "$@"; do
  case "$what" in
    python)
      python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
      ;;
    postgis)
      # An external database needs nothing installed here.
      [ -n "${MAPPER_DATABASE_URL:-}" ] && continue
      version=$(postgres_version)
      if [ -z "$version" ]; then
        need+=(postgresql postgresql-postgis)
      elif ! ls /usr/share/postgresql/"$version"/extension/postgis.control >/dev/null 2>&1; then
        need+=("postgresql-$version-postgis-3")
      fi
      ;;
    browser)
      [ -x /usr/bin/chromium ] || need+=(chromium)
      ;;
    gdal)
      # ogrinfo and ogr2ogr read the exports and the OGC API back in the tests.
      command -v ogr2ogr >/dev/null 2>&1 || need+=(gdal-bin)
      ;;
    *)
      echo "unknown requirement: $what" >&2
      exit 2
      ;;
  esac
done

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "mapper needs these packages: ${need[*]}" >&2
  echo "install them with: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
echo "installing ${need[*]} ..."
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
  "${need[@]}" >/dev/null
