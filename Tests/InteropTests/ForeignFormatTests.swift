import Interop
import Testing

@Suite("What format a recording is in")
struct ForeignFormatTests {
    @Test("a name ending in .mcap is MCAP, in any case; NDJSON, gzip and standard input are surgtop's own")
    func byName() {
        let options = InteropOptions()
        #expect(ForeignRecordings.format(of: "run.mcap", options: options) == .mcap)
        #expect(ForeignRecordings.format(of: "RUN.MCAP", options: options) == .mcap)
        #expect(ForeignRecordings.format(of: "run.ndjson", options: options) == nil)
        #expect(ForeignRecordings.format(of: "run.ndjson.gz", options: options) == nil)
        #expect(ForeignRecordings.format(of: "-", options: options) == nil)
    }

    @Test("a format given on the command line wins over the name")
    func given() {
        let options = InteropOptions(format: .jigsaws(transcription: "T.txt"))
        #expect(ForeignRecordings.format(of: "Knot_Tying_F001.txt", options: options) == .jigsaws(transcription: "T.txt"))
    }
}
