#!/bin/sh
# Entry point of every container of docker-compose.yml that serves or calls TLS.
#
# The certificates of scripts/generate_certs.sh are mounted read-only at /certs with the
# owner of the host's files and the key readable by that owner only. This copies them to
# /run/tls for the user the service runs as (TLS_OWNER, user[:group]), key mode 600, with
# /run/tls/ca-bundle.crt holding the system's public CAs and ours (for SSL_CERT_FILE in a
# container that also calls public HTTPS), then runs the command: as TLS_RUN_AS when set,
# else as it is (images whose own entry point drops privileges).
set -eu

owner="${TLS_OWNER:-root}"
install -d -m 0755 /run/tls
for file in tls.crt tls.key ca.crt; do
    cp "/certs/$file" "/run/tls/$file"
done
if [ -r /etc/ssl/certs/ca-certificates.crt ]; then
    cat /etc/ssl/certs/ca-certificates.crt /certs/ca.crt > /run/tls/ca-bundle.crt
else
    cp /certs/ca.crt /run/tls/ca-bundle.crt
fi
chown -R "$owner" /run/tls
chmod 0644 /run/tls/tls.crt /run/tls/ca.crt /run/tls/ca-bundle.crt
chmod 0600 /run/tls/tls.key

if [ -n "${TLS_RUN_AS:-}" ]; then
    exec setpriv --reuid="$(id -u "$TLS_RUN_AS")" --regid="$(id -g "$TLS_RUN_AS")" \
        --init-groups -- "$@"
fi
exec "$@"
