#!/usr/bin/env bash
# Makes sure a Redis answers on 127.0.0.1:6379 for the tests: uses the running one, else starts one
# (installing Debian's redis-server first when it is missing and we are allowed to).
set -euo pipefail
ping() { { exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG; } 2>/dev/null; }
if ping; then exit 0; fi
if ! command -v redis-server >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "Redis is not running on 127.0.0.1:6379 and redis-server is not installed." >&2; exit 1
  fi
fi
mkdir -p /tmp/acme-redis
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /tmp/acme-redis \
  --logfile /tmp/acme-redis/redis.log
for _ in $(seq 50); do ping && exit 0; sleep 0.1; done
echo "Started redis-server but it does not answer on 127.0.0.1:6379" >&2; exit 1
