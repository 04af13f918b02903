#!/usr/bin/env bash
# One-shot (docker-compose.yml service `keys`): makes sure the JWT key pair exists.
#   private key: $KAVACH_PRIVATE_KEY_DIR/private.pem (default /keys/private), mode 600
#   public key:  $KAVACH_PUBLIC_KEY_DIR/public.pem  (default /keys/public),  mode 644
# Both present: nothing changes. Only the private key present (e.g. put there by an operator):
# the public key is derived from it. Neither: a new RSA-2048 pair. The long-running service
# mounts only the public directory; `docker compose run --rm token …` mounts the private one.
set -euo pipefail
private_dir=${KAVACH_PRIVATE_KEY_DIR:-/keys/private}
public_dir=${KAVACH_PUBLIC_KEY_DIR:-/keys/public}
private=$private_dir/private.pem
public=$public_dir/public.pem

mkdir -p "$private_dir" "$public_dir"
if [ -s "$private" ] && [ -s "$public" ]; then
  echo "kavach-ledger keys: $private and $public exist; nothing to do"
  exit 0
fi
if [ -s "$public" ] && [ ! -s "$private" ]; then
  echo "kavach-ledger keys: $public exists without $private: keeping it (tokens must be minted elsewhere)"
  exit 0
fi
umask 077
if [ ! -s "$private" ]; then
  # Written beside the target and renamed: a reader never sees half a key.
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$private.tmp" 2>/dev/null
  chmod 600 "$private.tmp"
  mv "$private.tmp" "$private"
  echo "kavach-ledger keys: created $private"
fi
openssl pkey -in "$private" -pubout -out "$public.tmp"
chmod 644 "$public.tmp"
mv "$public.tmp" "$public"
echo "kavach-ledger keys: wrote $public"
