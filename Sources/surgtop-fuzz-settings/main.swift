// Fuzz target over the YAML settings readers: layouts and alarm settings.
// scripts/fuzz builds it with libFuzzer; a normal build makes it a corpus replayer.
import SurgtopFuzz

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    SettingsFuzz.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

FuzzDriver.main(name: "surgtop-fuzz-settings", testOneInput: testOneInput)
