# The bats helpers every suite shares (tests/ns, tests/engines, tests/images load it from their own
# helper file): one copy, so a fix reaches all of them.
#
#   wait_for TIMEOUT_SECONDS COMMAND...   retries COMMAND (every 0.1 s) until it succeeds; fails
#                                         after TIMEOUT_SECONDS
#   show                                  prints the last `run`: command, status, output (bats
#                                         prints a test's output only when it fails)
#   free_tcp_port                         a TCP port in 20000-40000 that nothing on 127.0.0.1
#                                         accepts on
#   pid_gone PID                          the process is gone (or a zombie its parent has yet to reap)

wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

show() {
  echo "--- command: $BATS_RUN_COMMAND"
  echo "--- status: $status"
  echo "--- output:"
  echo "$output"
}

free_tcp_port() {
  local port
  for port in $(shuf -i 20000-40000 -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

pid_gone() {
  [ ! -d "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}
