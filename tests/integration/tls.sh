#!/bin/bash
# tls.sh - syncd speaking HTTPS itself: `syncd tls init` makes a key (0600) and a self-signed
# certificate and prints the pin that OpenSSL computes too, never overwriting a key; `syncd
# serve` with them answers a TLS handshake checked against the certificate or its pin (a wrong
# pin is refused by the client), sends Strict-Transport-Security and Secure cookies, speaks no
# plain HTTP on that port; plain HTTP on an address other than loopback is refused.
# The collector: enrolled with the pin it syncs; without a pin a self-signed server is refused,
# with the CA file it is checked against it; another key (a new server on the same address) is
# refused with nothing sent; an expired certificate too; a token is never sent over plain HTTP
# to an address other than the loopback.
# usage: tls.sh SYNCD COLLECTOR GEN_HOUSEHOLDS SOURCE_DIR
set -u
SYNCD=$1
COLLECTOR=$2
GEN=$3
SRC=$4
. "$SRC/tests/integration/lib.sh"
need curl openssl certtool sqlite3
export DIEUTRA_SYNC_RETRY_MS=10 DIEUTRA_SYNC_TRIES=2
unset DIEUTRA_CA_FILE
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

# ---- the collector
C() { "$COLLECTOR" "$@" --db "$LOGDIR/c.db"; }
C setup --enumerator "Lò Văn Minh" >/dev/null || not_ok "setup"
C form install "$SRC/schema/forms/sonla_ict_household.json" >/dev/null 2>&1 || not_ok "install the form"
C enroll "$HTTPS/" "$T" >"$LOGDIR/e0.out" 2>&1
same "a self-signed server without its pin: refused" "$?" 3
grep -q "cannot be trusted.*--pin" "$LOGDIR/e0.out" && ok || not_ok "saying to use the pin: $(cat "$LOGDIR/e0.out")"
C enroll "$HTTPS/" "$T" --pin "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" >"$LOGDIR/e1.out" 2>&1
same "another pin: refused" "$?" 3
grep -q "not the server this laptop was enrolled with" "$LOGDIR/e1.out" && ok || not_ok "saying so: $(cat "$LOGDIR/e1.out")"
DIEUTRA_CA_FILE=$LOGDIR/tls/syncd.crt C enroll "$HTTPS/" "$T" >"$LOGDIR/e2.out" 2>&1 &&
    ok || not_ok "checked against the office's CA file: $(cat "$LOGDIR/e2.out")"
C enroll "$HTTPS/" "$T" --pin "$PIN" >"$LOGDIR/e3.out" 2>&1 && ok || not_ok "enroll with the pin: $(cat "$LOGDIR/e3.out")"
same "the pin is kept" "$(sqlite3 "$LOGDIR/c.db" "SELECT value FROM meta WHERE key = 'server_pin'")" "$PIN"
"$GEN" 3 7 >"$LOGDIR/hh.json" 2>/dev/null
C import "$LOGDIR/hh.json" >"$LOGDIR/import.out" 2>&1 || not_ok "import: $(tail -3 "$LOGDIR/import.out")"
C sync >"$LOGDIR/sync.out" 2>&1 && ok || not_ok "sync over HTTPS: $(cat "$LOGDIR/sync.out")"
same "the centre holds them" "$(sqlite3 "$SDB" "SELECT count(*) FROM cases")" 3

# a renewed certificate on SIGHUP, without a restart; a broken one leaves the old in place
SPID=$SERVER
mkdir -p "$LOGDIR/renew"
"$SYNCD" tls init --host localhost,127.0.0.1 --out "$LOGDIR/renew" >"$LOGDIR/renew.out" 2>&1 || not_ok "a new key"
NEWPIN=$(sed -n 's/^pin: *//p' "$LOGDIR/renew.out")
cp "$LOGDIR/renew/syncd.crt" "$LOGDIR/tls/syncd.crt"
cp "$LOGDIR/renew/syncd.key" "$LOGDIR/tls/syncd.key"
kill -HUP "$SPID"
for _ in $(seq 100); do grep -q "certificate renewed" "$LOGDIR/serve.err" && break; sleep 0.1; done
grep -q "certificate renewed" "$LOGDIR/serve.err" && ok || not_ok "SIGHUP renews: $(tail -3 "$LOGDIR/serve.err")"
same "the new key is presented" "$(curl -s -k --pinnedpubkey "$NEWPIN" -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T" "$HTTPS/api/v1/whoami")" 200
curl -s -k --pinnedpubkey "$PIN" -o /dev/null "$HTTPS/api/v1/whoami"
same "the old one no more" "$?" 90
echo "not a certificate" >"$LOGDIR/tls/syncd.crt"
kill -HUP "$SPID"
for _ in $(seq 100); do grep -q "not renewed, the old one stays" "$LOGDIR/serve.err" && break; sleep 0.1; done
grep -q "not renewed, the old one stays" "$LOGDIR/serve.err" && ok || not_ok "a broken one is refused: $(tail -3 "$LOGDIR/serve.err")"
same "and the server goes on with the last good one" "$(curl -s -k --pinnedpubkey "$NEWPIN" -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T" "$HTTPS/api/v1/whoami")" 200
same "the same process all along" "$(kill -0 "$SPID" && echo alive)" alive
stop_syncd
same "stopped cleanly" "$SERVER_RC" 0

# another server on the same address, with another key: nothing is sent to it
OLDPORT=$PORT
mkdir -p "$LOGDIR/other"
"$SYNCD" tls init --host 127.0.0.1 --out "$LOGDIR/other" >/dev/null 2>&1 || not_ok "a second key"
printf 'tls_cert = %s\ntls_key = %s\n' "$LOGDIR/other/syncd.crt" "$LOGDIR/other/syncd.key" >"$LOGDIR/other.conf"
cp "$SDB" "$LOGDIR/other.db"
serve other "$SYNCD" serve --db "$LOGDIR/other.db" --listen "127.0.0.1:$OLDPORT" --config "$LOGDIR/other.conf" || finish
C import "$LOGDIR/hh.json" >/dev/null 2>&1
C sync >"$LOGDIR/sync2.out" 2>&1
same "a changed key: the sync fails" "$?" 3
grep -q "not the server this laptop was enrolled with" "$LOGDIR/sync2.out" && ok || not_ok "saying so: $(cat "$LOGDIR/sync2.out")"
grep -q "lo_van\|enum1.*POST" "$LOGDIR/other.err" && not_ok "the laptop sent a request: $(cat "$LOGDIR/other.err")" || ok
stop_syncd

# an expired certificate (made with GnuTLS's certtool), pinned: refused, nothing sent
printf 'cn = localhost\nip_address = 127.0.0.1\nactivation_date = "2024-01-01 00:00:00"\nexpiration_date = "2025-01-01 00:00:00"\ntls_www_server\nsigning_key\n' >"$LOGDIR/old.tmpl"
certtool --generate-privkey --key-type ecdsa --outfile "$LOGDIR/old.key" 2>/dev/null &&
    certtool --generate-self-signed --load-privkey "$LOGDIR/old.key" --template "$LOGDIR/old.tmpl" --outfile "$LOGDIR/old.crt" 2>/dev/null ||
    not_ok "certtool"
printf 'tls_cert = %s\ntls_key = %s\n' "$LOGDIR/old.crt" "$LOGDIR/old.key" >"$LOGDIR/old.conf"
serve old "$SYNCD" serve --db "$LOGDIR/other.db" --listen "127.0.0.1:$OLDPORT" --config "$LOGDIR/old.conf" || finish
grep -q "EXPIRED" "$LOGDIR/old.err" && ok || not_ok "serve warns of the expired certificate: $(cat "$LOGDIR/old.err")"
OLDPIN=$("$SYNCD" tls pin "$LOGDIR/old.crt" 2>/dev/null)
C enroll "$HTTPS/" "$T" --pin "$OLDPIN" >"$LOGDIR/e4.out" 2>&1
same "an expired certificate: refused" "$?" 3
grep -q "expired on 2025-01-01: nothing was sent" "$LOGDIR/e4.out" && ok || not_ok "saying so: $(cat "$LOGDIR/e4.out")"
grep -q "GET /api/v1/whoami" "$LOGDIR/old.err" && not_ok "the token went to it: $(cat "$LOGDIR/old.err")" || ok
stop_syncd

# plain HTTP to another machine: the token is not sent
C enroll "http://192.0.2.10:8080/" "$T" >"$LOGDIR/e5.out" 2>&1
same "plain HTTP beyond loopback: refused" "$?" 2
grep -q "refusing to send the token unencrypted" "$LOGDIR/e5.out" && ok || not_ok "saying so: $(cat "$LOGDIR/e5.out")"

# plain HTTP where others can reach it: refused before anything listens
"$SYNCD" serve --db "$SDB" --listen 0.0.0.0:0 >"$LOGDIR/plain.out" 2>&1
same "plain HTTP beyond loopback is refused" "$?" 2
grep -q "refusing to listen on 0.0.0.0:0 without TLS" "$LOGDIR/plain.out" && ok || not_ok "saying why: $(cat "$LOGDIR/plain.out")"
printf 'tls_cert = %s\n' "$LOGDIR/tls/syncd.crt" >"$LOGDIR/half.conf"
"$SYNCD" serve --db "$SDB" --listen 127.0.0.1:0 --config "$LOGDIR/half.conf" >"$LOGDIR/half.out" 2>&1
same "a certificate without its key is refused" "$?" 2
printf 'tls_cert = %s\ntls_key = %s\n' "$LOGDIR/other/syncd.crt" "$LOGDIR/renew/syncd.key" >"$LOGDIR/mixed.conf"
"$SYNCD" serve --db "$SDB" --listen 127.0.0.1:0 --config "$LOGDIR/mixed.conf" >"$LOGDIR/mixed.out" 2>&1
same "a key that is not the certificate's is refused" "$?" 2
grep -q "the key is not the certificate's" "$LOGDIR/mixed.out" && ok || not_ok "saying so: $(cat "$LOGDIR/mixed.out")"
finish
