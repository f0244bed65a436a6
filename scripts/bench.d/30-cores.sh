# Both cores: `check` of the 10-minute recording decoded in one pass (--threads 1) and in ranges
# on two threads (--threads 2), interleaved (1, 2, 1, 2, …) so both see the same load; best of 3.
need_s10
one="" two=""
for _ in 1 2 3; do
  t=$(best_of -n 1 "$bin/surgtop" check "$s10" --threads 1)
  if [ -z "$one" ] || python3 -c "import sys; sys.exit(0 if $t < $one else 1)"; then one=$t; fi
  t=$(best_of -n 1 "$bin/surgtop" check "$s10" --threads 2)
  if [ -z "$two" ] || python3 -c "import sys; sys.exit(0 if $t < $two else 1)"; then two=$t; fi
done
ratio=$(calc "f'{$one / $two:.2f}'")
same=$(cmp -s <("$bin/surgtop" check "$s10" --json --threads 1) <("$bin/surgtop" check "$s10" --json --threads 2) && echo same || echo DIFFERENT)
echo "check s10.ndjson: --threads 1 $(calc "f'{$one:.2f}'") s, --threads 2 $(calc "f'{$two:.2f}'") s: ${ratio}× (answers $same; load $(cut -d' ' -f1 /proc/loadavg))"
figure cores "check on the 10-minute recording, one core / two" \
  "$(calc "f'{$one:.2f}'") s / $(calc "f'{$two:.2f}'") s = ${ratio}×" "≥ 1.7×" "$(met "$ratio" '>=' 1.7)"
