#!/bin/bash
# tls.sh - syncd speaking HTTPS itself: `syncd tls init` makes a key (0600) and a self-signed
# certificate and prints the pin that OpenSSL computes too, never overwriting a key; `syncd
# serve` with them answers a TLS handshake checked against the certificate or its pin (a wrong
# pin is refused by the client), sends Strict-Transport-Security and Secure cookies, speaks no
# plain HTTP on that port; plain HTTP on an address other than loopback is refused.
# usage: tls.sh SYNCD SOURCE_DIR
set -u
SYNCD=$1
SRC=$2
. "$SRC/tests/integration/lib.sh"
need curl openssl
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1
SDB=$LOGDIR/syncd.db
same() { # NAME GOT WANT
    if [ "$2" = "$3" ]; then ok; else not_ok "$1: got '$2', want '$3'"; fi
}

mkdir -p "$LOGDIR/tls"
"$SYNCD" tls init --host localhost,127.0.0.1 --days 30 --out "$LOGDIR/tls" >"$LOGDIR/init.out" 2>&1 ||
    not_ok "tls init: $(cat "$LOGDIR/init.out")"
same "the key is private" "$(stat -c %a "$LOGDIR/tls/syncd.key")" 600
PIN=$(sed -n 's/^pin: *//p' "$LOGDIR/init.out")
OSSL="sha256//$(openssl x509 -in "$LOGDIR/tls/syncd.crt" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)"
same "the pin is the public key's SHA-256, as OpenSSL says" "$PIN" "$OSSL"
same "tls pin says the same" "$("$SYNCD" tls pin "$LOGDIR/tls/syncd.crt" 2>/dev/null)" "$PIN"
openssl x509 -in "$LOGDIR/tls/syncd.crt" -noout -text >"$LOGDIR/cert.txt"
grep -q "DNS:localhost, IP Address:127.0.0.1" "$LOGDIR/cert.txt" && ok || not_ok "the names: $(grep -A1 'Alternative' "$LOGDIR/cert.txt")"
KEYSUM=$(sha256sum <"$LOGDIR/tls/syncd.key")
"$SYNCD" tls init --host localhost --out "$LOGDIR/tls" >"$LOGDIR/again.out" 2>&1
same "a key is never overwritten" "$? $(sha256sum <"$LOGDIR/tls/syncd.key")" "3 $KEYSUM"
grep -q "remove it first" "$LOGDIR/again.out" && ok || not_ok "saying so: $(cat "$LOGDIR/again.out")"

printf 'tls_cert = %s\ntls_key = %s\n' "$LOGDIR/tls/syncd.crt" "$LOGDIR/tls/syncd.key" >"$LOGDIR/tls.conf"
"$SYNCD" form publish "$SRC/schema/forms/sonla_ict_household.json" --db "$SDB" >/dev/null || not_ok "publish"
T=$(token_of "$SYNCD" "$SDB" enum1 enumerator)
token_of "$SYNCD" "$SDB" stat statistician >/dev/null
start_syncd "$SYNCD" "$SDB" --config "$LOGDIR/tls.conf" || finish
grep -q "HTTPS" "$LOGDIR/serve.out" && ok || not_ok "serve says HTTPS: $(cat "$LOGDIR/serve.out")"
grep -q "pin $PIN" "$LOGDIR/serve.err" && ok || not_ok "serve prints the pin: $(cat "$LOGDIR/serve.err")"
HTTPS=https://127.0.0.1:$PORT
same "checked against the certificate" "$(curl -s --cacert "$LOGDIR/tls/syncd.crt" -H "Authorization: Bearer $T" -o /dev/null -w '%{http_code}' "$HTTPS/api/v1/whoami")" 200
same "checked against the pin" "$(curl -s -k --pinnedpubkey "$PIN" -H "Authorization: Bearer $T" -o /dev/null -w '%{http_code}' "$HTTPS/api/v1/whoami")" 200
curl -s -k --pinnedpubkey "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" "$HTTPS/api/v1/whoami" >/dev/null 2>&1
same "another pin: the client refuses the server (curl 90)" "$?" 90
curl -s -H "Authorization: Bearer $T" "$HTTPS/api/v1/whoami" >/dev/null 2>&1
same "a client that knows neither refuses it (curl 60)" "$?" 60
curl -s -D "$LOGDIR/h.txt" -o /dev/null --cacert "$LOGDIR/tls/syncd.crt" -H "Authorization: Bearer $T" "$HTTPS/api/v1/whoami"
grep -qi "^Strict-Transport-Security: max-age=31536000" "$LOGDIR/h.txt" && ok || not_ok "HSTS: $(cat "$LOGDIR/h.txt")"
LINK=$("$SYNCD" user link stat --db "$SDB" --url "$HTTPS" 2>&1 | grep -o 'https://[^ ]*')
curl -s -D "$LOGDIR/link.txt" -o /dev/null --cacert "$LOGDIR/tls/syncd.crt" "$LINK"
grep -qi "^Set-Cookie: dieutra_session=.*; Secure" "$LOGDIR/link.txt" && ok || not_ok "a Secure cookie: $(cat "$LOGDIR/link.txt")"
curl -s -o /dev/null "http://127.0.0.1:$PORT/api/v1/whoami"
[ $? -ne 0 ] && ok || not_ok "plain HTTP on the HTTPS port got an answer"
stop_syncd
same "stopped cleanly" "$SERVER_RC" 0

# plain HTTP where others can reach it: refused before anything listens
"$SYNCD" serve --db "$SDB" --listen 0.0.0.0:0 >"$LOGDIR/plain.out" 2>&1
same "plain HTTP beyond loopback is refused" "$?" 2
grep -q "refusing to listen on 0.0.0.0:0 without TLS" "$LOGDIR/plain.out" && ok || not_ok "saying why: $(cat "$LOGDIR/plain.out")"
printf 'tls_cert = %s\n' "$LOGDIR/tls/syncd.crt" >"$LOGDIR/half.conf"
"$SYNCD" serve --db "$SDB" --listen 127.0.0.1:0 --config "$LOGDIR/half.conf" >"$LOGDIR/half.out" 2>&1
same "a certificate without its key is refused" "$?" 2
finish
