/// The alarm settings file with every default, documented: what `surgtop` uses when no file is
/// given. Any subset of these keys may be written in a file to override the defaults
/// (`AlarmSettingsFile.load(path:)`); parsing this text yields exactly `AlarmSettings.defaults`.
public let defaultAlarmSettingsYAML = """
# surgtop alarm settings (YAML). Every key is optional: a file overrides only the keys it
# names, the rest keep these defaults. Unknown keys, wrong types and thresholds that do not
# increase are errors. Priorities and markers follow IEC 60601-1-8: *** high, ** medium, * low.

# Network between the surgeon's console and the patient-side robot, per path
# (alarm ids LINK.<path>.RTT, .JITTER, .LOSS, .VIDEO, .DOWN and LINK.ALL.DOWN).
link:
  # Round trip of the control channel, ms. A round trip up to 100 ms is rated acceptable and
  # surgeons' ratings fall past 100-150 ms; up to 200 ms is "good" and up to 300 ms was judged
  # safe in simulator studies (Beijing-Sanya, 3,000 km: 170-320 ms; Lindbergh, New York-
  # Strasbourg 2001: 155 ms).
  rtt_ms: {low: 100, medium: 200, high: 300}
  # Jitter (variation of the one-way delay), ms. The 6G target for laparoscopic telesurgery
  # is 5-10 ms.
  jitter_ms: {low: 10, medium: 20, high: 50}
  # Packet loss over the last second, %. A 5G telesurgery over about 3,000 km ran at 1.2 %;
  # a hinotori trial saw 3-7 % when bandwidth fell below its need.
  loss_pct: {low: 0.5, medium: 1, high: 3}
  # Endoscope video under this frame rate raises a medium alarm (24 fps, the film rate, is
  # the floor for smooth motion; endoscopes deliver 50-60).
  video_fps_below: 24
  # Not settable: a path down while another path is known is medium (LINK.<path>.DOWN);
  # no path up at all is high (LINK.ALL.DOWN).

# Hysteresis, in session seconds.
timing:
  # A measured value (round trip, jitter, loss, video rate, bandwidth, joint position, effort)
  # is judged on the mean of its samples over this many seconds: the alarm raises, or
  # escalates, when that mean reaches a level. At most 300.
  sustain_s: 1
  # A condition must stay absent this long before its alarm clears, and below its level this
  # long before the alarm de-escalates, so a value hovering at a threshold does not chatter.
  # (TELEMETRY.LOST clears with the first frame that arrives: a frame is proof.)
  clear_after_s: 2

# The telemetry stream itself.
telemetry:
  # No frame at all from a live source for longer than this (arrival time, counted from the
  # connection when no frame has come yet): TELEMETRY.LOST, high. (The dVRK's own watchdog
  # is 30 ms; the console allows for network delay.)
  stale_s: 1
  # TELEMETRY.SEQ_GAPS, low, when at least gap_count sequence-number gaps (lost frames)
  # fall within gap_window_s seconds.
  gap_count: 3
  gap_window_s: 10
  # The deadline for a new connection's first valid frame, in seconds after connecting (a
  # real gateway sends its session frame at once): one that misses it (silent, or trickling
  # bytes) is dropped and logged, so it cannot hold surgtop live --listen's one gateway slot;
  # surgtop live HOST:PORT dials again. From 1 to 3600.
  handshake_s: 5
  # Once a valid frame came, the longest silence between frames, in seconds: a connection
  # silent longer (a gateway that stopped sending, or a half-open connection after it
  # rebooted) is dropped, shown and listed as a connection event; surgtop live HOST:PORT
  # reconnects with its backoff, the listener waits for the gateway to connect again. Lines of
  # a type this console does not know count as activity; reading paused because the console
  # is behind does not count as silence. A real gateway sends link frames every second.
  # From 1 to 3600.
  reconnect_after_s: 5

# Robot joints that declare limits (min, max) and an effort maximum (effort_max), as the dVRK
# arm definitions do (e.g. PSM yaw +-1.588 rad, insertion 0-0.24 m).
joints:
  # <arm>.<joint>.LIMIT: low within this share of the joint's range from a limit...
  near_limit_pct: 5
  # ...medium at the limit: within this share of the range, or beyond it.
  at_limit_pct: 0.5
  # <arm>.<joint>.EFFORT: medium at or above this share of effort_max.
  effort_pct: 90
  # Not settable: an arm in FAULT (<arm>.FAULT) and an instrument in FAULT
  # (<arm>.INSTRUMENT.FAULT) are high; an instrument with no uses left
  # (<arm>.INSTRUMENT.USES) is low.

# The terminal bell. Only the highest unacknowledged priority sounds; acknowledged alarms
# are silent.
audio:
  # Bells per burst: high repeats its burst every high_repeat_s, medium every
  # medium_repeat_s, low rings once when raised.
  high_bells: 3
  medium_bells: 2
  low_bells: 1
  high_repeat_s: 10
  medium_repeat_s: 25
  # How long the audio-pause key silences the bell. A new alarm of higher priority than
  # every listed one ends the pause.
  pause_s: 120

"""
