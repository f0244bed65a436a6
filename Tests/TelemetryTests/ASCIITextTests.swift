import Testing
import Telemetry

@Suite("ASCII spellings for a terminal or log without UTF-8")
struct ASCIITextTests {
    @Test("symbols of alarm messages and units take their ASCII spellings")
    func symbols() {
        #expect(ASCIIText.transliterate("primary round trip 245 ms ≥ 200 ms") == "primary round trip 245 ms >= 200 ms")
        #expect(ASCIIText.transliterate("≤ ≠ ≈ ± × ÷") == "<= != ~ +- x /")
        #expect(ASCIIText.transliterate("53.0° · 12 µm · 4 μs") == "53.0deg . 12 um . 4 us")
        #expect(ASCIIText.transliterate("a – b — c − d … ") == "a - b - c - d ... ")
        #expect(ASCIIText.transliterate("▲ UP ▼ DOWN ▶ ◀ → ← ⚡") == "^ UP v DOWN > < -> <- !!")
        #expect(ASCIIText.transliterate("“quoted” ‘too’") == "\"quoted\" 'too'")
    }

    @Test("accented letters lose their accents, composed or decomposed; anything else becomes ?")
    func letters() {
        #expect(ASCIIText.transliterate("Zürich → Besançon, São Paulo, Straße") == "Zurich -> Besancon, Sao Paulo, Strasse")
        #expect(ASCIIText.transliterate("Cafe\u{301}") == "Cafe")
        #expect(ASCIIText.transliterate("東京 🙂") == "?? ?")
    }

    @Test("ASCII text comes back unchanged, and every result is ASCII")
    func asciiUnchanged() {
        let plain = "t=12.5  RAISE  ** LINK.primary.RTT  x >= 3"
        #expect(ASCIIText.transliterate(plain) == plain)
        for text in ["≥≤°µ·–—…▲▼", "naïve Œuvre ∑ 中", "e\u{301}\u{302}"] {
            #expect(ASCIIText.transliterate(text).utf8.allSatisfy { $0 < 0x80 }, "\(text)")
        }
    }
}
