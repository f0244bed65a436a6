import SessionCore
import Testing

/// The times a trainer types (`g`, `replay --from`).
@Suite("Typed replay times")
struct ReplayTimeTests {
    func parsed(_ text: String) -> ReplayTime? {
        if case .success(let time) = ReplayTime.parse(text) { return time }
        return nil
    }

    func error(_ text: String) -> String? {
        if case .failure(let error) = ReplayTime.parse(text) { return error.description }
        return nil
    }

    @Test("seconds, with or without a fraction, are session time")
    func seconds() {
        #expect(parsed("750") == .session(750))
        #expect(parsed("750.5") == .session(750.5))
        #expect(parsed(" 0 ") == .session(0))
    }

    @Test("minutes:seconds is session time, minutes past 59 too")
    func minutesSeconds() {
        #expect(parsed("12:30") == .session(750))
        #expect(parsed("75:00") == .session(4500))
        #expect(parsed("0:07.5") == .session(7.5))
    }

    @Test("hh:mm:ss is the recording's clock")
    func clock() {
        #expect(parsed("09:12:30") == .wallClock(33_150))  // 9 h 12 min 30 s
        #expect(parsed("23:59:59") == .wallClock(86_399))
    }

    @Test("a mistake is one sentence naming what is wrong")
    func mistakes() {
        #expect(error("")?.contains("type a time") == true)
        #expect(error("abc")?.contains("'abc' is not a time") == true)
        #expect(error("-5")?.contains("cannot be negative") == true)
        #expect(error("12:75")?.contains("seconds must be below 60") == true)
        #expect(error("25:00:00")?.contains("not a clock time") == true)
        #expect(error("1:2:3:4")?.contains("too many") == true)
        #expect(error("1e3") != nil, "no exponents: a typo, not a time")
        #expect(error("12.5:30") != nil, "only the last part may have a fraction")
        #expect(error("9999999999")?.contains("beyond any recording") == true)
        #expect(error("\u{1B}[2J")?.contains("\u{1B}") == false, "escape sequences are not echoed")
    }

    @Test("minutes:seconds has the same upper bound as plain seconds")
    func minutesSecondsBound() {
        #expect(error("99999999999:00")?.contains("beyond any recording") == true)
        #expect(error("16666667:00")?.contains("beyond any recording") == true, "just past 1e9 s")
        #expect(parsed("16666666:00") == .session(999_999_960), "just below it")
    }

    @Test("a clock time maps to session time through started_at, across midnight too")
    func clockToSession() throws {
        let midnight: Double = 1_800_000_000 - 1_800_000_000.truncatingRemainder(dividingBy: 86_400)
        let start: Double = midnight + 32_400  // 09:00:00 UTC
        let time = try #require(parsed("09:12:30"))
        #expect(try time.sessionTime(startedAt: start).get() == 750)
        let early = try #require(parsed("08:59:00"))
        #expect(try early.sessionTime(startedAt: start).get() == -60, "a minute before the start is said to be before it")
        let late: Double = midnight + 84_600  // 23:30 UTC
        let afterMidnight = try #require(parsed("00:10:00"))
        #expect(try afterMidnight.sessionTime(startedAt: late).get() == 2_400)
        guard case .failure(let error) = time.sessionTime(startedAt: nil) else {
            Issue.record("a clock time without started_at must be refused")
            return
        }
        #expect(error.description.contains("no started_at"))
        #expect(try ReplayTime.session(12).sessionTime(startedAt: nil).get() == 12)
    }
}
