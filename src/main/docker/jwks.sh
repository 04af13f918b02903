#!/usr/bin/env bash
# Prints a JSON Web Key set holding the given RSA public keys (PEM), each with its RFC 7638
# thumbprint as "kid" — the kid the jar's token command puts in every token it mints. Point
# MP_JWT_VERIFY_PUBLICKEY_LOCATION at the result to trust several keys at once while rotating
# (docs/operations.md, "Rotating keys without downtime"):
#   src/main/docker/jwks.sh old/public.pem new/public.pem > keys.jwks
set -euo pipefail
if [ $# -eq 0 ]; then
  echo "usage: jwks.sh PUBLIC.pem [PUBLIC.pem ...] > keys.jwks" >&2; exit 2
fi
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
hex_to_b64url() { # big-endian hex, without leading zero bytes
  local hex=$1
  while [ "${hex:0:2}" = "00" ] && [ ${#hex} -gt 2 ]; do hex=${hex:2}; done
  [ $(( ${#hex} % 2 )) -eq 1 ] && hex=0$hex
  # shellcheck disable=SC2059
  printf "$(sed 's/../\\x&/g' <<<"$hex")" | b64url
}
keys=()
for pem in "$@"; do
  modulus=$(openssl rsa -pubin -in "$pem" -noout -modulus 2>/dev/null | sed 's/^Modulus=//')
  [ -n "$modulus" ] || { echo "jwks.sh: $pem is not an RSA public key" >&2; exit 1; }
  exponent=$(openssl rsa -pubin -in "$pem" -noout -text 2>/dev/null | sed -n 's/^Exponent: \([0-9]*\).*/\1/p')
  n=$(hex_to_b64url "$modulus")
  e=$(hex_to_b64url "$(printf '%x' "$exponent")")
  kid=$(printf '{"e":"%s","kty":"RSA","n":"%s"}' "$e" "$n" | openssl dgst -sha256 -binary | b64url)
  keys+=("$(printf '{"kty":"RSA","use":"sig","alg":"RS256","kid":"%s","n":"%s","e":"%s"}' "$kid" "$n" "$e")")
done
(IFS=,; printf '{"keys":[%s]}\n' "${keys[*]}")
