# The console: building one frame, its CPU use in tmux, and the session core's memory over 8 hours.
echo "memory: ${BENCH_HOURS:-8} h of a four-arm 500 Hz session fed as fast as possible into the session state"
"$bin/surgtop-bench" memory --hours "${BENCH_HOURS:-8}" --rate 500 | tee "$work/memory.out" | grep -v '^[A-Z_]* '
rss=$(awk '/^RESIDENT_MB/ {print $2}' "$work/memory.out")
if [ -n "$rss" ]; then
  figure console "resident memory after ${BENCH_HOURS:-8} h of a four-arm 500 Hz session, fed as fast as possible" "$rss MB" "< 64 MB" "$(met "$rss" '<' 64)"
fi

for view in "120 40 technician" "160 50 demo"; do
  read -r w h layout <<< "$view"
  echo "console: building one ${w}x${h} frame of the $layout layout as the console does"
  "$bin/surgtop-bench" render --width "$w" --height "$h" --layout "$layout" | tee "$work/render.out" | grep -v '^[A-Z_]* '
  median=$(awk '/^FRAME_MEDIAN_US/ {print $2}' "$work/render.out")
  if [ -n "$median" ]; then
    figure console "building one ${w}×${h} console frame, $layout layout (median)" "$median µs" "< 1 ms" "$(met "$median" '<' 1000)"
  fi
done

echo "console: CPU use of the full-screen demo, four arms at 500 Hz, 160x50 in tmux, for 20 s"
if command -v tmux >/dev/null; then
  sock="surgtop-bench-$$"
  tmux -L "$sock" -f /dev/null new-session -d -s b -x 160 -y 50 "LANG=C.UTF-8 $bin/surgtop demo --rate 500 --quiet --alarm-log /dev/null"
  sleep 3
  pid=$(pgrep -n -f "$bin/surgtop demo --rate 500")
  ticks=$(getconf CLK_TCK)
  read -r u1 s1 < <(awk '{print $14, $15}' /proc/"$pid"/stat)
  sleep 20
  read -r u2 s2 < <(awk '{print $14, $15}' /proc/"$pid"/stat)
  tmux -L "$sock" kill-server
  cpu=$(calc "f'{100 * (($u2 + $s2) - ($u1 + $s1)) / $ticks / 20:.1f}'")
  echo "CPU: $cpu % of one core"
  figure console "CPU of the full-screen demo, four arms at 500 Hz, 160×50 in tmux" "$cpu % of one core" "< 5 %" "$(met "$cpu" '<' 5)"
else
  echo "tmux not installed: skipped"
fi
