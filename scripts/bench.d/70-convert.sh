# NDJSON → MCAP: `surgtop convert` of the 30-minute recording (zstd level 1), best of 2 runs.
need_s30
in_bytes=$(wc -c < "$s30")
best=""
for _ in 1 2; do
  rm -f "$work/s30.mcap"
  s=$(date +%s.%N); "$bin/surgtop" convert "$s30" "$work/s30.mcap" >/dev/null; e=$(date +%s.%N)
  t=$(calc "$e - $s")
  if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $t < $best else 1)"; then best=$t; fi
done
out_bytes=$(wc -c < "$work/s30.mcap")
mbs=$(calc "int($in_bytes / 1e6 / $best)")
echo "convert s30.ndjson ($((in_bytes / 1000000)) MB) to MCAP: $(calc "f'{$best:.2f}'") s, $mbs MB/s of input; output $((out_bytes / 1000000)) MB"
figure convert "convert the 30-minute recording to MCAP (zstd level 1)" "$(calc "f'{$best:.2f}'") s, $mbs MB/s of input, output $((out_bytes / 1000000)) MB" "≥ 200 MB/s" "$(met "$mbs" '>=' 200)"
rm -f "$work/s30.mcap"
