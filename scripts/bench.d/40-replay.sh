# The replay: its catch-up against the decoder, fast-forward in the console, seeks, the 30-minute
# recording's opening, memory at several positions, and the marker pass.

need_s10
echo "replay catch-up on the 10-minute recording: frames before 590 s decoded and applied per second (state"
echo "and alarms; open-replay also keeps checkpoints, the unpaced snapshot none), against the decoder reading"
echo "the same file and check; interleaved, best of 3"
# Frames up to 590 s: what a replay opened there applies (plus the one frame past it that stops it).
caught_up=$(awk -F'[:,]' '$2 <= 590' "$s10" | wc -l)
decode_best=0 open_best="" snap_best="" check_best=""
for _ in 1 2 3; do
  rate=$("$bin/surgtop-bench" decode "$s10" --streaming --runs 1 | awk '/^FRAMES_PER_SECOND/ {print $2}')
  decode_best=$(calc "max($decode_best, $rate)")
  t=$("$bin/surgtop-bench" open-replay "$s10" --from 590 | awk '/^OPEN_SECONDS/ {print $2}')
  open_best=$(calc "min(${open_best:-$t}, $t)")
  t=$(seconds_of "$bin/surgtop" replay "$s10" --snapshot 120x40 --at 590)
  snap_best=$(calc "min(${snap_best:-$t}, $t)")
  t=$(seconds_of "$bin/surgtop" check "$s10")
  check_best=$(calc "min(${check_best:-$t}, $t)")
done
snap_pct=$(calc "round(100 * $caught_up / $snap_best / $decode_best)")
open_pct=$(calc "round(100 * $caught_up / $open_best / $decode_best)")
echo "decoder (reading included) $decode_best frames/s; $caught_up frames to 590 s: snapshot $snap_best s" \
  "($snap_pct %), open-replay $open_best s ($open_pct %); check $check_best s; load $(cut -d' ' -f1-3 /proc/loadavg)"
figure replay "replay catch-up (--snapshot --at 590, 10-minute recording) / decoder" \
  "$snap_pct % ($(calc "int($caught_up / $snap_best)") frames/s, process start included; decoder $decode_best frames/s)" "≥ 80 %" "$(met "$snap_pct" '>=' 80)"
figure replay "replay catch-up (open-replay --from 590: the console's loop without a terminal) / decoder" \
  "$open_pct % ($(calc "int($caught_up / $open_best)") frames/s)" "≥ 80 %" "$(met "$open_pct" '>=' 80)"
figure replay "replay --snapshot 120x40 --at 590 against check, same file" "$snap_best s = $(calc "f'{$snap_best / $check_best:.2f}'")× check ($check_best s)"
echo "replay: the console fast-forwarding (--from 295) through 5 minutes of a four-arm 500 Hz session"
echo "(~600,000 frames), 120x40 in tmux; then a seek back 60 s (twelve presses of ←, paused)"
if command -v tmux >/dev/null; then
  "$bin/surgtop" sim --out "$work/replay.ndjson" --duration 300 --rate 500 --seed 2
  frames=$(wc -l < "$work/replay.ndjson")
  sock="surgtop-bench-replay-$$"
  start=$(date +%s.%N)
  tmux -L "$sock" -f /dev/null new-session -d -s r -x 120 -y 40 \
    "LANG=C.UTF-8 $bin/surgtop replay $work/replay.ndjson --from 295 --quiet --alarm-log /dev/null"
  if wait_for "$sock" 't 00:04:5[5-9]'; then
    end=$(date +%s.%N)
    t=$(calc "f'{$end - $start:.2f}'")
    echo "fast-forward to 4:55: $t s"
    figure replay "replay console fast-forwarding (--from 295) through 5 min of four arms at 500 Hz, 120×40" "$t s ($(calc "int($frames / $t)") frames/s, screen included)"
  fi
  tmux -L "$sock" send-keys -t r Space
  sleep 0.5
  start=$(date +%s.%N)
  for _ in $(seq 12); do tmux -L "$sock" send-keys -t r Left; done
  if wait_for "$sock" 't 00:03:5' head; then
    end=$(date +%s.%N)
    t=$(calc "f'{$end - $start:.2f}'")
    echo "seek back 60 s: $t s"
    figure replay "replay console seeking back 60 s (twelve ←, paused)" "$t s"
  fi
  tmux -L "$sock" kill-server
else
  echo "tmux not installed: skipped"
fi

need_s30
echo "replay of a 30-minute four-arm 500 Hz recording (1.4 GB): opening it --from 28:00 next to check"
echo "on the whole file, its resident memory at several positions, and the marker pass"
if command -v tmux >/dev/null; then
  # Opens the console --from FROM, waits until its header shows PATTERN, then waits SETTLE
  # seconds; records the wall time to get there and the resident memory (now and peak, VmHWM).
  open_at() {
    local from=$1 pattern=$2 settle=$3 sock="surgtop-bench-s30-$$" start end pid rss hwm
    start=$(date +%s.%N)
    tmux -L "$sock" -f /dev/null new-session -d -s r -x 120 -y 40 \
      "LANG=C.UTF-8 $bin/surgtop replay $s30 --from $from --quiet --alarm-log /dev/null"
    if ! wait_for "$sock" "$pattern" head; then tmux -L "$sock" kill-server; return 0; fi
    end=$(date +%s.%N)
    sleep "$settle"
    pid=$(pgrep -n -f "$bin/surgtop replay $s30 --from $from ")
    rss=$(awk '/VmRSS/ {print $2}' /proc/"$pid"/status)
    hwm=$(awk '/VmHWM/ {print $2}' /proc/"$pid"/status)
    tmux -L "$sock" kill-server
    opened=$(calc "f'{$end - $start:.2f}'")
    peak=$(calc "f'{$hwm / 1024:.1f}'")
    echo "--from $from: at ${pattern#t } in $opened s; resident $(calc "f'{$rss / 1024:.1f}'") MB, peak $peak MB"
  }
  check_before=$(seconds_of "$bin/surgtop" check "$s30")
  open_at 1680 't 00:28:0' 0
  check_after=$(seconds_of "$bin/surgtop" check "$s30")
  echo "check on the whole file: $check_before s before, $check_after s after"
  figure replay "replay --from 1680 of the 30-minute recording, 120×40 in tmux, until the header shows 28:00" "$opened s; check $check_before / $check_after s" "≤ check" "$(met "$opened" '<=' "$(calc "max($check_before, $check_after)")")"
  # Settled long enough for the marker pass to finish beside the replay (its memory counted).
  peaks=""
  worst=0
  for at in 0 600 1200 1680; do
    open_at "$at" "t 00:$(printf '%02d' $((at / 60))):0" 8
    peaks="$peaks${peaks:+; }$(printf '%d:%02d' $((at / 60)) 0) $peak MB"
    worst=$(calc "max($worst, $peak)")
  done
  figure replay "resident memory of the replay console (peak, marker pass done) at several positions of the 30-minute recording" "$peaks" "< 64 MB" "$(met "$worst" '<' 64)"
else
  echo "tmux not installed: the console's figures skipped"
fi
echo "the same without a terminal, then jumps back (resumed from the kept checkpoints) and forward:"
"$bin/surgtop-bench" open-replay "$s30" --from 1680 --seeks 305,1675,15 | grep -v '^[A-Z_]* '
"$bin/surgtop-bench" markers "$s30" | tee "$work/markers.out" | grep -v '^[A-Z_]* '
figure replay "the marker pass alone over the 30-minute recording (surgtop-bench markers)" "$(awk '/^MARKER_PASS_SECONDS/ {print $2}' "$work/markers.out") s"
snap=$(seconds_of "$bin/surgtop" replay "$s30" --snapshot 120x40 --at 1680)
echo "snapshot at 28:00 (the console's path, without a terminal): $snap s"
figure replay "replay --snapshot 120x40 --at 1680 of the 30-minute recording" "$snap s"
