// Fuzz target over the path wire bytes take: decoder, reducer, alarm engine, every screen.
// scripts/fuzz builds it with libFuzzer; a normal build makes it a corpus replayer.
// The input format is described at `WireFuzz.run` (Sources/SurgtopFuzz/WireFuzz.swift).
import SurgtopFuzz

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    WireFuzz.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

FuzzDriver.main(name: "surgtop-fuzz-wire", testOneInput: testOneInput, all: WireFuzz.runEveryScreen, show: WireFuzz.screen)
