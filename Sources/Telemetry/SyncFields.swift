// The `sync` frame (spec §3): the robot's active alarms and mounted instruments when a client
// connects. It comes once per connection, so its arrays of objects are read member by member
// (`FieldReader.objects`) rather than on the arm frame's fast path.

extension FrameDecoder {
    func decodeSync(_ f: inout FieldValues) throws -> SyncSnapshot {
        guard let alarmsAt = f.position(.alarms) else { throw FieldError(.schema, "sync frame: missing required field 'alarms'") }
        do {
            var sync = SyncSnapshot(alarms: try f.reader.syncAlarms(at: alarmsAt))
            if let instrumentsAt = f.position(.instruments) {
                sync.instruments = try f.reader.syncInstruments(at: instrumentsAt)
            }
            return sync
        } catch let e as FieldError {
            throw FieldError(e.kind, "sync frame: " + e.reason)
        }
    }
}

extension FieldReader {
    /// `alarms`: objects with the fields of a raised `alarm` frame (`id` and `priority` required);
    /// a `state` member, which the spec leaves out, is ignored like any unknown field.
    mutating func syncAlarms(at p: Int) throws -> [AlarmReport] {
        try objects(.alarms, at: p) { r, o in
            guard let idAt = o["id"] else { throw FieldError(.schema, "an alarm has no 'id'") }
            let id = try r.string(.alarms, at: idAt, expected: "a string ('id')")
            guard let priorityAt = o["priority"] else {
                throw FieldError(.schema, "alarm \(WireText.quoted(id)) has no 'priority'")
            }
            let priorityText = try r.string(.alarms, at: priorityAt, expected: "a string ('priority')")
            guard let priority = AlarmPriority(rawValue: priorityText) else {
                throw FieldError(.schema, "alarm \(WireText.quoted(id)): priority must be 'high', 'medium' or 'low', not \(WireText.quoted(priorityText))")
            }
            var alarm = AlarmReport(id: id, state: .raised, priority: priority)
            if let at = o["kind"] {
                let text = try r.string(.alarms, at: at, expected: "a string ('kind')")
                guard let kind = AlarmKind(rawValue: text) else {
                    throw FieldError(.schema, "alarm \(WireText.quoted(id)): kind must be 'technical' or 'physiological', not \(WireText.quoted(text))")
                }
                alarm.kind = kind
            }
            if let at = o["source"] { alarm.source = try r.string(.alarms, at: at, expected: "a string ('source')") }
            if let at = o["message"] { alarm.message = try r.string(.alarms, at: at, expected: "a string ('message')") }
            return alarm
        }
    }

    /// `instruments`: objects with the fields of an `instrument` frame (`arm` required).
    mutating func syncInstruments(at p: Int) throws -> [InstrumentSample] {
        try objects(.instruments, at: p) { r, o in
            guard let armAt = o["arm"] else { throw FieldError(.schema, "an instrument has no 'arm'") }
            var inst = InstrumentSample(arm: try r.string(.instruments, at: armAt, expected: "a string ('arm')"))
            if let at = o["tool"] {
                inst.tool = try r.isNull(at: at) ? .none
                    : .model(try r.string(.instruments, at: at, expected: "a string or null ('tool')"))
            }
            if let at = o["state"] {
                let text = try r.string(.instruments, at: at, expected: "a string ('state')")
                guard let state = InstrumentState(rawValue: text) else {
                    throw FieldError(.schema, "instrument on \(WireText.quoted(inst.arm)): unknown state \(WireText.quoted(text))")
                }
                inst.state = state
            }
            if let at = o["uses_left"] { inst.usesLeft = try r.integer(.usesLeft, at: at) }
            if let at = o["energy"] {
                let text = try r.string(.instruments, at: at, expected: "a string ('energy')")
                guard let energy = EnergyMode(rawValue: text) else {
                    throw FieldError(.schema, "instrument on \(WireText.quoted(inst.arm)): unknown energy mode \(WireText.quoted(text))")
                }
                inst.energy = energy
            }
            if let at = o["energy_active"] { inst.energyActive = try r.bool(.energyActive, at: at) }
            return inst
        }
    }

    mutating func isNull(at p: Int) throws -> Bool {
        var probe = scanner
        probe.i = p
        return try probe.peekKind() == .null
    }
}
