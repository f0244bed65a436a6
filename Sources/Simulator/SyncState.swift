import Telemetry

// What a gateway tells a client that connects (spec §3, §4): the session frame, then `sync`.

extension SessionSimulator {
    /// The `sync` frame at the current time, without a sequence number: the robot alarms raised
    /// and not cleared in the frames returned so far, and the instrument on each PSM.
    public var syncFrame: Frame {
        let mounted = (0..<psmCount).map { instruments[$0].sample(arm: arms[$0].id) }
        return Frame(t: time, body: .sync(SyncSnapshot(alarms: activeAlarms, instruments: mounted)))
    }

    /// Keeps `activeAlarms` as the alarm frames returned say.
    mutating func noteSent(_ report: AlarmReport) {
        activeAlarms.removeAll { $0.id == report.id }
        if report.state == .raised { activeAlarms.append(report) }
    }
}
