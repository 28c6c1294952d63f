#!/bin/sh
# RabbitMQ under compose: the broker, then its one user.
#
# definitions.json (loaded at boot, rabbitmq.conf) holds the topology but no users, and a node
# that imports definitions creates no default user; a password must not be written in a file
# of the repository either. So once the node is up, the user RABBITMQ_USER is created with
# RABBITMQ_PASSWORD (or its password set again, if it exists) and given the vhost "/".
# SIGTERM and SIGINT are passed on to the broker.
set -eu

: "${RABBITMQ_USER:?RABBITMQ_USER must be set}"
: "${RABBITMQ_PASSWORD:?RABBITMQ_PASSWORD must be set}"

docker-entrypoint.sh rabbitmq-server &
broker=$!
trap 'kill -TERM "$broker" 2>/dev/null; wait "$broker"; exit $?' TERM INT

# the CLI must use the cookie the broker makes, not make one of its own first
waited=0
until [ -s /var/lib/rabbitmq/.erlang.cookie ]; do
    if ! kill -0 "$broker" 2>/dev/null || [ "$waited" -ge 120 ]; then
        echo "rabbitmq: the broker did not start" >&2
        exit 1
    fi
    sleep 1
    waited=$((waited + 1))
done
rabbitmqctl --quiet await_startup --timeout 300
if rabbitmqctl --quiet list_users --silent | cut -f1 | grep -qx "$RABBITMQ_USER"; then
    rabbitmqctl --quiet change_password "$RABBITMQ_USER" "$RABBITMQ_PASSWORD"
else
    rabbitmqctl --quiet add_user "$RABBITMQ_USER" "$RABBITMQ_PASSWORD"
fi
rabbitmqctl --quiet set_permissions --vhost / "$RABBITMQ_USER" ".*" ".*" ".*"
touch /tmp/vms-user-ready

wait "$broker"
