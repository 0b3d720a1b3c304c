#!/usr/bin/env bash
# scripts/deps.sh — install what habit needs to build and test, from Debian.
# Runs apt-get as root (or through sudo).
set -euo pipefail
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake pkg-config clang libclang-rt-dev \
  libpcap-dev libzmq3-dev libsqlite3-dev libgsl-dev libyaml-dev libcmocka-dev libseccomp-dev libnetfilter-queue-dev iptables \
  libhyperscan-dev libpcre2-dev \
  tcpdump tshark wireshark-common libndpi-bin hyperfine time python3 unzip gzip ca-certificates \
  nginx redis-server postgresql nmap python3-redis python3-psycopg2 curl iproute2 procps \
  >/dev/null
echo "deps: installed"
