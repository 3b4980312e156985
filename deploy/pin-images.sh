#!/bin/sh
# Pins every image of the Dockerfile and docker-compose.yml by digest:
# name:tag (with or without a digest already) becomes name:tag@sha256:…,
# the digest the registry gives for that tag now (the multi-platform
# index, so every architecture keeps building). Docker then pulls exactly
# that content whatever the tag later points to; the tag stays as a label.
#
#   deploy/pin-images.sh [DIR]     DIR: the repository (default: this one)
#
# Update procedure: edit a tag (e.g. redis:7.4.8-alpine → redis:7.4.9-alpine)
# or keep them to take the latest rebuild of each tag (base-image security
# fixes), run this script, review `git diff`, then
#   docker compose build --pull && docker compose up -d
#
# Needs registry access and one of: docker buildx, crane, skopeo.
set -eu

dir=${1:-$(dirname "$0")/..}
files="$dir/Dockerfile $dir/docker-compose.yml"

digest() {
	if docker buildx version >/dev/null 2>&1; then
		docker buildx imagetools inspect "$1" --format '{{json .Manifest.Digest}}' | tr -d '"'
	elif command -v crane >/dev/null 2>&1; then
		crane digest "$1"
	elif command -v skopeo >/dev/null 2>&1; then
		# The digest of the raw manifest is the index's digest.
		skopeo inspect --raw "docker://$1" | sha256sum | sed 's/^\([0-9a-f]*\).*/sha256:\1/'
	else
		echo "pin-images: docker buildx, crane or skopeo is needed to ask the registry" >&2
		return 1
	fi
}

# The images: FROM lines of the Dockerfile, image: lines of the compose file.
images=$({
	sed -n 's/^FROM[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' "$dir/Dockerfile"
	sed -n 's/^[[:space:]]*image:[[:space:]]*\([^[:space:]]*\).*/\1/p' "$dir/docker-compose.yml"
} | sort -u)
[ -n "$images" ] || { echo "pin-images: no image found in $files" >&2; exit 1; }

# Every digest is resolved before any file changes: a failure leaves them as they were.
plan=""
for ref in $images; do
	tagged=${ref%%@*}
	case $tagged in
	*:*) ;;
	*) echo "pin-images: $ref has no tag: give it one (name:tag) to pin" >&2; exit 1 ;;
	esac
	d=$(digest "$tagged") || { echo "pin-images: cannot resolve $tagged" >&2; exit 1; }
	echo "$d" | grep -Eq '^sha256:[0-9a-f]{64}$' || { echo "pin-images: $tagged: unexpected digest \"$d\"" >&2; exit 1; }
	plan="$plan $ref|$tagged@$d"
done

for step in $plan; do
	old=${step%%|*}
	new=${step#*|}
	for f in $files; do
		# Image references hold no sed metacharacter but "." (escaped here).
		sed -i "s|\([[:space:]]\)$(echo "$old" | sed 's/\./\\./g')\([[:space:]]\)|\1$new\2|; s|\([[:space:]]\)$(echo "$old" | sed 's/\./\\./g')$|\1$new|" "$f"
	done
	echo "$old -> $new"
done
