# `report` against `check` on the 10-minute four-arm 500 Hz recording: the report decodes as check
# does, then keeps the link statistics, skill measures and derived alarms (the state applied and
# the alarm engine evaluated about 500 times a second). Interleaved runs, the best of three each,
# so both see the same load.
need_s10
check_best=""; report_best=""
for _ in 1 2 3; do
  c=$(seconds_of "$bin/surgtop" check "$s10")
  r=$(seconds_of "$bin/surgtop" report "$s10" --json)
  if [ -z "$check_best" ] || python3 -c "import sys; sys.exit(0 if $c < $check_best else 1)"; then check_best=$c; fi
  if [ -z "$report_best" ] || python3 -c "import sys; sys.exit(0 if $r < $report_best else 1)"; then report_best=$r; fi
  echo "check $c s, report $r s (load $(cut -d' ' -f1 /proc/loadavg))"
done
ratio=$(calc "f'{$report_best / $check_best:.2f}'")
echo "best: check $check_best s, report $report_best s: $ratio×"
figure report "report on the 10-minute recording / check" "$report_best s / $check_best s = $ratio×" "≤ 1.3×" "$(met "$ratio" '<=' 1.3)"
