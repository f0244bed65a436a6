import SessionCore
import Testing

@Suite("A nanosecond clock written as RFC 3339")
struct RecordingClockRFC3339Tests {
    @Test("whole seconds have no fraction; a fraction keeps its digits without trailing zeros")
    func fractions() {
        #expect(RecordingClock.rfc3339(nanoseconds: 0) == "1970-01-01T00:00:00Z")
        #expect(RecordingClock.rfc3339(nanoseconds: 1_795_507_200_000_000_000) == "2026-11-24T08:00:00Z")
        #expect(RecordingClock.rfc3339(nanoseconds: 1_795_507_200_500_000_000) == "2026-11-24T08:00:00.5Z")
        #expect(RecordingClock.rfc3339(nanoseconds: 5) == "1970-01-01T00:00:00.000000005Z")
    }

    @Test("a leap day, and the largest clock there is")
    func edges() {
        #expect(RecordingClock.rfc3339(nanoseconds: 951_782_400_000_000_000) == "2000-02-29T00:00:00Z")
        #expect(RecordingClock.rfc3339(nanoseconds: .max) == "2554-07-21T23:34:33.709551615Z")
    }

    @Test("it reads back as the same second")
    func readsBack() {
        let ns: UInt64 = 1_795_510_861_250_000_000
        let text = RecordingClock.rfc3339(nanoseconds: ns)
        #expect(RecordingClock.unixSeconds(rfc3339: text) == 1_795_510_861.25)
    }
}
