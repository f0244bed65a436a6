# The decoder against the best general parsers: simdjson (C++, Debian's libsimdjson-dev, through
# scripts/simdjson-yardstick.cpp, extracting exactly the fields surgtop's decoder reads), Python's
# orjson, jq, and wc -l as the I/O floor; all on the same file of 7-joint arm frames, one thread.
need_arm7
lines=$(wc -l < "$arm7")
bytes=$(wc -c < "$arm7")
echo "file: $lines arm frames (7 joints: position, velocity, effort), $((bytes / 1000000)) MB"
rate() { calc "int($lines / float($1))"; }

surgtop_fps=$("$bin/surgtop-bench" decode "$arm7" --runs 5 | awk '/^FRAMES_PER_SECOND/ {print $2}')
# The same with the file read as a replay reads it (64 KiB chunks from the page cache).
streaming_fps=$("$bin/surgtop-bench" decode "$arm7" --runs 5 --streaming | awk '/^FRAMES_PER_SECOND/ {print $2}')

cat > "$work/orjson_loop.py" <<'PY'
import sys, time, orjson
best = None
for _ in range(3):
    start = time.perf_counter()
    n = 0
    with open(sys.argv[1], "rb") as f:
        for line in f:
            orjson.loads(line)
            n += 1
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
print(int(n / best))
PY
orjson_fps=$(python3 "$work/orjson_loop.py" "$arm7" 2>/dev/null || echo "")
jq_fps=""
if command -v jq >/dev/null; then jq_fps=$(rate "$(best_of -n 2 jq -c . "$arm7")"); fi
wc_fps=$(rate "$(best_of wc -l "$arm7")")

echo "yardstick: simdjson extracting the fields surgtop's decoder reads, same file, one thread"
have_simdjson() { echo '#include <simdjson.h>' | c++ -std=c++17 -E -x c++ - >/dev/null 2>&1; }
install_simdjson() { "$@" apt-get install -y libsimdjson-dev || { "$@" apt-get update && "$@" apt-get install -y libsimdjson-dev; }; }
if ! have_simdjson; then
  if [ "$(id -u)" = 0 ]; then install_simdjson >/dev/null 2>&1 || true
  elif sudo -n true 2>/dev/null; then install_simdjson sudo -n >/dev/null 2>&1 || true
  fi
fi
# Built twice, and the better rate of each API counts: simdjson picks its stage-1 kernel at run time,
# but On-Demand's stage 2 is compiled into the program, for the portable kernel unless -march=native
# (which was not the faster on this machine's AMD EPYC: 2.75 M against 3.0 M frames/s).
ondemand_fps=""; dom_fps=""
if ! have_simdjson; then
  echo "libsimdjson-dev is not installed and could not be (apt-get needs root or sudo): skipped"
else
  for arch in portable native; do
    flags=(-O3 -std=c++17 -DSIMDJSON_THREADS_ENABLED=1)
    if [ "$arch" = native ]; then flags+=(-march=native); fi
    if ! c++ "${flags[@]}" scripts/simdjson-yardstick.cpp -o "$work/simdjson-yardstick" -lsimdjson 2>"$work/yardstick.log"; then
      echo "compiling scripts/simdjson-yardstick.cpp ($arch) failed:"; cat "$work/yardstick.log"; continue
    fi
    "$work/simdjson-yardstick" "$arm7" --runs 5 > "$work/yardstick.out" || true
    grep -v '^[A-Z_]* ' "$work/yardstick.out" | sed "s/^/  ($arch build) /"
    ondemand_fps=$(awk -v best="$ondemand_fps" '/^ONDEMAND_FRAMES_PER_SECOND/ && $2 > best + 0 {best = $2} END {print best}' "$work/yardstick.out")
    dom_fps=$(awk -v best="$dom_fps" '/^DOM_FRAMES_PER_SECOND/ && $2 > best + 0 {best = $2} END {print best}' "$work/yardstick.out")
  done
fi

printf '%-28s %14s frames/s\n' "surgtop decoder" "$surgtop_fps" "surgtop reading + decoder" "$streaming_fps" \
  "simdjson On-Demand" "${ondemand_fps:--}" "simdjson DOM" "${dom_fps:--}" "python orjson (line loop)" "${orjson_fps:--}" \
  "jq -c ." "${jq_fps:--}" "wc -l (lines)" "$wc_fps"
mfps() { calc "f'{$1 / 1e6:.2f} M frames/s'"; }
figure decoder "surgtop decoder, $lines 7-joint arm frames, one core (file in memory)" "$(mfps "$surgtop_fps") ($(calc "int($bytes * $surgtop_fps / $lines / 1e6)") MB/s)"
figure decoder "the same, reading the file in 64 KiB chunks as a replay does" "$(mfps "$streaming_fps")"
if [ -n "$ondemand_fps" ] && [ -n "$dom_fps" ]; then
  best=$(calc "max($ondemand_fps, $dom_fps)")
  ratio=$(calc "f'{$surgtop_fps / $best:.2f}'")
  figure decoder "simdjson 3 On-Demand / DOM, the same fields as doubles, one core" "$(mfps "$ondemand_fps") / $(mfps "$dom_fps")"
  figure decoder "surgtop decoder / the better simdjson" "${ratio}×" "≥ 1.5×" "$(met "$ratio" '>=' 1.5)"
fi
if [ -n "$orjson_fps" ]; then
  ratio=$(calc "f'{$surgtop_fps / $orjson_fps:.2f}'")
  figure decoder "Python orjson, line by line" "$(mfps "$orjson_fps"); surgtop ${ratio}×" "surgtop ≥ 2×" "$(met "$ratio" '>=' 2)"
fi
if [ -n "$jq_fps" ]; then
  ratio=$(calc "f'{$surgtop_fps / $jq_fps:.1f}'")
  figure decoder "jq -c ." "$(mfps "$jq_fps"); surgtop ${ratio}×" "surgtop ≥ 10×" "$(met "$ratio" '>=' 10)"
fi
figure decoder "wc -l (the I/O floor)" "$(calc "f'{$wc_fps / 1e6:.1f}'") M lines/s"
