#!/bin/sh
# Stand-in for the real qmail-queue, following qmail-queue(8): the message on fd 0, the
# envelope on fd 1. Records both in $QQ_RECORD_DIR and exits with $QQ_EXIT (default 0).
set -e
cat > "$QQ_RECORD_DIR/message"
cat <&1 > "$QQ_RECORD_DIR/envelope"
exit "${QQ_EXIT:-0}"
