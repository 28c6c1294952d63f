#!/usr/bin/env bash
# Internal TLS: a private CA and one certificate per service, with openssl only.
#
#   scripts/generate_certs.sh [--force] [OUT_DIR]      (OUT_DIR defaults to .var/certs)
#
# Makes OUT_DIR/ca/{ca.crt,ca.key} (the CA; its key is never mounted into a container)
# and, per service below, OUT_DIR/<service>/{tls.crt,tls.key,ca.crt}: the directory a
# container mounts read-only at /certs. SANs: <service>, <service>.vms.internal, localhost,
# 127.0.0.1. Re-running keeps the CA and every certificate still valid for 30 days and
# signed by it, and makes what is missing; --force makes everything anew (a new CA too).
# See docs/tls.md.
set -euo pipefail

# compose service names: the DNS names the other containers reach them by
SERVICES=(
    backend
    recorder
    ai-detection
    postgres
    redis
    rabbitmq
    mediamtx
    kong
    haproxy
    prometheus
    grafana
    alertmanager
)
DOMAIN="vms.internal"
CA_DAYS=3650         # 10 years
CERT_DAYS=825        # the most clients accept for a server certificate
RENEW_BEFORE_DAYS=30 # a certificate expiring sooner is made anew on the next run

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
    echo "usage: $0 [--force] [OUT_DIR]   (OUT_DIR defaults to $REPO/.var/certs)"
}

force=0
out=""
for arg in "$@"; do
    case "$arg" in
        --force) force=1 ;;
        -h | --help)
            usage
            exit 0
            ;;
        -*)
            usage >&2
            exit 2
            ;;
        *)
            if [[ -n "$out" ]]; then
                usage >&2
                exit 2
            fi
            out="$arg"
            ;;
    esac
done
out="${out:-$REPO/.var/certs}"

command -v openssl >/dev/null || {
    echo "openssl is not installed" >&2
    exit 1
}

umask 077
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$out/ca"
chmod 700 "$out/ca"
ca_crt="$out/ca/ca.crt"
ca_key="$out/ca/ca.key"

new_key() { # new_key FILE: an EC P-256 private key (PKCS#8 PEM), mode 600
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
    chmod 600 "$1"
}

serial() { # a random positive 127-bit serial number
    printf '0x%x%s' $((RANDOM % 8)) "$(openssl rand -hex 15)"
}

made_ca=0
if [[ $force -eq 1 || ! -s "$ca_crt" || ! -s "$ca_key" ]]; then
    if [[ $force -eq 0 && (-e "$ca_crt" || -e "$ca_key") ]]; then
        echo "$out/ca holds only half a CA (certificate or key); run with --force to make a new one" >&2
        exit 1
    fi
    cat >"$work/ca.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
x509_extensions = v3_ca
[dn]
O = VMS
CN = VMS internal CA
[v3_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
    new_key "$work/ca.key"
    openssl req -x509 -new -config "$work/ca.cnf" -key "$work/ca.key" -sha256 \
        -days "$CA_DAYS" -set_serial "$(serial)" -out "$work/ca.crt"
    mv -f "$work/ca.key" "$ca_key"
    mv -f "$work/ca.crt" "$ca_crt"
    chmod 644 "$ca_crt"
    made_ca=1
    echo "made CA       $ca_crt (key $ca_key), valid until $(openssl x509 -in "$ca_crt" -noout -enddate | cut -d= -f2)"
else
    echo "kept CA       $ca_crt"
fi

current() { # current DIR: DIR holds a key and its certificate, signed by the CA, valid long enough
    local dir="$1"
    [[ -s "$dir/tls.key" && -s "$dir/tls.crt" ]] || return 1
    openssl verify -CAfile "$ca_crt" "$dir/tls.crt" >/dev/null 2>&1 || return 1
    [[ "$(openssl x509 -in "$dir/tls.crt" -noout -pubkey 2>/dev/null)" == \
        "$(openssl pkey -in "$dir/tls.key" -pubout 2>/dev/null)" ]] || return 1
    openssl x509 -in "$dir/tls.crt" -noout -checkend $((RENEW_BEFORE_DAYS * 86400)) >/dev/null || return 1
}

for service in "${SERVICES[@]}"; do
    if [[ ! "$service" =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$ || "$service" == "ca" ]]; then
        echo "not a usable service name: $service" >&2
        exit 1
    fi
    dir="$out/$service"
    mkdir -p "$dir"
    chmod 755 "$dir"
    if [[ $force -eq 0 && $made_ca -eq 0 ]] && current "$dir"; then
        cp -f "$ca_crt" "$dir/ca.crt"
        chmod 644 "$dir/ca.crt"
        echo "kept          $dir/tls.crt"
        continue
    fi
    cat >"$work/$service.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
O = VMS
CN = $service
[v3_service]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:$service, DNS:$service.$DOMAIN, DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
    new_key "$work/$service.key"
    openssl req -new -config "$work/$service.cnf" -key "$work/$service.key" -out "$work/$service.csr"
    openssl x509 -req -in "$work/$service.csr" -CA "$ca_crt" -CAkey "$ca_key" \
        -set_serial "$(serial)" -days "$CERT_DAYS" -sha256 \
        -extfile "$work/$service.cnf" -extensions v3_service -out "$work/$service.crt" 2>/dev/null
    mv -f "$work/$service.key" "$dir/tls.key"
    mv -f "$work/$service.crt" "$dir/tls.crt"
    cp -f "$ca_crt" "$dir/ca.crt"
    chmod 644 "$dir/tls.crt" "$dir/ca.crt"
    echo "made          $dir/tls.crt (key tls.key) for $service, $service.$DOMAIN, localhost, 127.0.0.1, valid until $(openssl x509 -in "$dir/tls.crt" -noout -enddate | cut -d= -f2)"
done
