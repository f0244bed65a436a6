# Live latency: how late the screen is. The simulated gateway (`surgtop sim --serve`) sends four
# arms at 1 kHz and link frames at 10 Hz over loopback TCP to `surgtop live` in tmux, the
# technician layout; the console, run with SURGTOP_LATENCY_LOG (`LatencyProbe`), logs for each
# socket read the time until the screen that shows its frames was presented. `surgtop-bench
# latency` gives p50 / p99 over frames. The console's CPU is read from /proc/PID/stat over the
# same interval, its resident memory at the end. BENCH_LIVE_SECONDS (default 30) per terminal size.
# The latency is taken over the same window as the CPU: the log's lines from the first 2 s
# (connecting, the first full paint) are left out. A run that gives no measurement records its
# figures as "not met", never drops them.
if ! command -v tmux >/dev/null; then
  echo "tmux not installed: skipped"
  return 0
fi
live_seconds=${BENCH_LIVE_SECONDS:-30}
# A size whose console never showed the arms, ended early or logged nothing: its figures say so.
live_unmeasured() {
  figure live "latency, socket to screen, p50 / p99 (four arms at 1 kHz, links at 10 Hz, $1)" \
    "no measurement" "p99 < 40 ms" "not met"
  figure live "CPU of the live console at that rate ($1)" "no measurement" "< 5 %" "not met"
}
"$bin/surgtop" sim --serve 127.0.0.1:0 --rate 1000 --seed 7 2> "$work/live-gateway.err" &
gateway=$!
live_port=""
for _ in $(seq 200); do
  live_port=$(sed -n 's/.*serving a simulated session on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/live-gateway.err")
  [ -n "$live_port" ] && break
  sleep 0.05
done
if [ -z "$live_port" ]; then
  echo "the simulated gateway did not start: $(cat "$work/live-gateway.err")"
  kill "$gateway" 2>/dev/null || true
  live_unmeasured 120×40
  live_unmeasured 80×24
  return 0
fi
ticks=$(getconf CLK_TCK)
for live_size in "120 40" "80 24"; do
  read -r w h <<< "$live_size"
  log="$work/latency-${w}x${h}.log"
  sock="surgtop-bench-live-$$"
  echo "live: four arms at 1 kHz + links at 10 Hz from 127.0.0.1:$live_port, ${w}x${h} technician layout in tmux, ${live_seconds} s (load $(cut -d' ' -f1-3 /proc/loadavg))"
  tmux -L "$sock" -f /dev/null new-session -d -s r -x "$w" -y "$h" \
    "exec env LANG=C.UTF-8 SURGTOP_LATENCY_LOG=$log $bin/surgtop live 127.0.0.1:$live_port --layout technician --quiet --alarm-log /dev/null"
  pid=$(tmux -L "$sock" display-message -p -t r '#{pane_pid}')
  if ! wait_for "$sock" "PSM1"; then
    echo "the console never showed PSM1: $(tmux -L "$sock" capture-pane -t r -p | head -3)"
    tmux -L "$sock" kill-server; live_unmeasured "${w}×${h}"; continue
  fi
  sleep 2  # past connecting and the first full paint
  read -r u1 s1 < <(awk '{print $14, $15}' /proc/"$pid"/stat)
  log_skip=$(stat -c %s "$log" 2>/dev/null || echo 0)  # the log's bytes before the CPU window
  sleep "$live_seconds"
  if [ ! -r /proc/"$pid"/stat ]; then
    echo "the console ended early: $(tmux -L "$sock" capture-pane -t r -p | head -3)"
    tmux -L "$sock" kill-server; live_unmeasured "${w}×${h}"; continue
  fi
  read -r u2 s2 < <(awk '{print $14, $15}' /proc/"$pid"/stat)
  rss=$(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' /proc/"$pid"/status)
  tmux -L "$sock" send-keys -t r q
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  tmux -L "$sock" kill-server 2>/dev/null || true
  cpu=$(calc "f'{100 * (($u2 + $s2) - ($u1 + $s1)) / $ticks / $live_seconds:.1f}'")
  echo "CPU: $cpu % of one core; resident memory $rss MB"
  # The window's lines: from the first whole line after the bytes written before it.
  if [ "$log_skip" -gt 0 ]; then
    tail -c +"$log_skip" "$log" | sed 1d > "$log.window"
  else
    cp "$log" "$log.window"
  fi
  if ! "$bin/surgtop-bench" latency "$log.window" | tee "$work/latency.out" | grep -v '^[A-Z_0-9]* '; then
    echo "no latency measured in ${log}"
    figure live "latency, socket to screen, p50 / p99 (four arms at 1 kHz, links at 10 Hz, ${w}×${h})" \
      "no measurement" "p99 < 40 ms" "not met"
    figure live "CPU of the live console at that rate (${w}×${h})" "$cpu % of one core" "< 5 %" "$(met "$cpu" '<' 5)"
    continue
  fi
  p50=$(awk '/^LATENCY_P50_MS/ {print $2}' "$work/latency.out")
  p99=$(awk '/^LATENCY_P99_MS/ {print $2}' "$work/latency.out")
  dropped=$(awk '/^LATENCY_DROPPED/ {print $2}' "$work/latency.out")
  figure live "latency, socket to screen, p50 / p99 (four arms at 1 kHz, links at 10 Hz, ${w}×${h})" \
    "$p50 / $p99 ms" "p99 < 40 ms" "$(met "$p99" '<' 40)"
  figure live "CPU of the live console at that rate (${w}×${h})" "$cpu % of one core" "< 5 %" "$(met "$cpu" '<' 5)"
  figure live "arm samples dropped by the live console at that rate (${w}×${h})" "$dropped" "0" "$(met "$dropped" '<=' 0)"
  figure live "resident memory of the live console after $((live_seconds + 2)) s at that rate (${w}×${h})" "$rss MB" "< 64 MB" "$(met "$rss" '<' 64)"
done
kill "$gateway" 2>/dev/null || true
wait "$gateway" 2>/dev/null || true
