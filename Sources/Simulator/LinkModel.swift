import SystemCalls
import Telemetry

/// The parameters of one network path between the surgeon's console and the patient side.
///
/// Sources (see shared/realdata/README.md):
/// - Level: the Lindbergh operation (New York–Strasbourg, ~6,200 km) ran at ~155 ms round
///   trip in 2001, and a 5G telesurgery over ~3,000 km at 114 ms. Today's fibre over the
///   same 6,200 km (≈ 62 ms of pure propagation, ×1.5 for real routes, plus codecs and
///   gateways) gives the primary's ~110 ms floor and a median near 116 ms.
/// - Shape: tyrell_roundtrip035.csv (8,958 RTTs of a ROS 2 robot link): the excess over
///   the minimum is log-normal in its body (σ of ln ≈ 0.67, lag-1 autocorrelation of
///   ln ≈ 0.28) with a heavy tail (p99 ≈ 39 × median). A long-haul wired path is calmer than
///   that WiFi, so the tail is kept as rare spikes (1 % of samples) instead.
/// - Jitter 2–8 ms, ≥ 30 Mbit/s, loss mostly well under 1 % with bursts of 1–3 %: the 6G
///   target for laparoscopic telesurgery (jitter 5–10 ms, ≥ 30 Mbit/s) and the 5G trial's
///   1.2 % loss.
struct PathProfile: Sendable {
    var name: String
    /// Propagation and processing: the floor of the round trip, ms.
    var baseRttMs: Double
    /// Median and ln-σ of the queueing delay above the floor, ms.
    var queueMedianMs: Double
    var queueSigma: Double
    /// Sample-to-sample memory of the queueing delay (lag-1 autocorrelation of its log).
    var queueMemory: Double
    /// Chance per sample of a delay spike, and its size, ms.
    var spikeChance: Double
    var spikeMs: ClosedRange<Double>
    /// Slow drift of the floor (route and load changes): σ in ms and time constant in s.
    var driftMs: Double
    var driftSeconds: Double
    /// Jitter measured on top of the sample-to-sample variation (packets within a sample), ms.
    var jitterFloorMs: Double
    /// Background loss: the chance a sample shows any loss, and its typical size, %.
    var lossChance: Double
    var lossMedianPct: Double
    var lossCapPct: Double
    /// Loss bursts: mean seconds between them, length s and level %.
    var burstEverySeconds: Double
    var burstSeconds: ClosedRange<Double>
    var burstPct: ClosedRange<Double>
    /// Throughput available to the session, Mbit/s.
    var bandwidthMbps: Double
    var bandwidthSpread: Double
    var bandwidthRange: ClosedRange<Double>
    /// Video: nominal frame rate, and encoding + decoding + display on top of the one-way delay.
    var videoFps: Double
    var videoPipelineMs: Double

    static let primary = PathProfile(
        name: "primary", baseRttMs: 110, queueMedianMs: 6, queueSigma: 0.67, queueMemory: 0.28,
        spikeChance: 0.01, spikeMs: 25...90, driftMs: 2.5, driftSeconds: 120, jitterFloorMs: 1.2,
        lossChance: 0.45, lossMedianPct: 0.05, lossCapPct: 0.3,
        burstEverySeconds: 180, burstSeconds: 2...8, burstPct: 1...3,
        bandwidthMbps: 50, bandwidthSpread: 4, bandwidthRange: 40...60,
        videoFps: 59.9, videoPipelineMs: 95)

    /// A second carrier on another route: about 40 ms slower, narrower, a little lossier.
    static let backup = PathProfile(
        name: "backup", baseRttMs: 150, queueMedianMs: 8, queueSigma: 0.7, queueMemory: 0.28,
        spikeChance: 0.01, spikeMs: 25...90, driftMs: 3, driftSeconds: 120, jitterFloorMs: 1.5,
        lossChance: 0.5, lossMedianPct: 0.06, lossCapPct: 0.3,
        burstEverySeconds: 240, burstSeconds: 2...6, burstPct: 1...2.5,
        bandwidthMbps: 25, bandwidthSpread: 3, bandwidthRange: 18...32,
        videoFps: 59.9, videoPipelineMs: 95)
}

extension PathProfile {
    /// A scenario's primary path: the free-running primary's shape over the scenario's floor.
    static func primary(of scenario: Scenario) -> PathProfile {
        PathProfile.primary.shaped(name: "primary", baseRttMs: scenario.baseRttMs, as: scenario.primary.character)
    }

    /// A scenario's backup path: the free-running backup's shape, `extra_rtt_ms` above the primary's floor.
    static func backup(of scenario: Scenario) -> PathProfile {
        let path = scenario.backup ?? ScenarioPath()
        return PathProfile.backup.shaped(name: "backup", baseRttMs: scenario.baseRttMs + path.extraRttMs,
                                         as: path.character)
    }

    /// This profile over another floor, with a scenario path's character. Queueing stays in
    /// proportion to the floor on short links (a 40 ms metro route queues less than a 110 ms
    /// transatlantic one), never below 2 ms.
    func shaped(name: String, baseRttMs: Double, as character: ScenarioPath.Character) -> PathProfile {
        var p = self
        p.name = name
        let scale = min(1, baseRttMs / self.baseRttMs)
        p.baseRttMs = baseRttMs
        p.queueMedianMs = max(2, queueMedianMs * scale)
        switch character {
        case .steady:
            // A managed line: calmer queueing (jitter well under the 10 ms alarm), small rare
            // spikes and no loss bursts.
            p.queueSigma = 0.5
            p.spikeChance = 0.004
            p.spikeMs = 5...25
            p.lossCapPct = 0.2
            p.burstEverySeconds = .infinity
        case .typical:
            break
        case .lossy:
            p.burstEverySeconds = burstEverySeconds / 2
        }
        return p
    }
}

/// A scripted episode where the primary path's round trip climbs past 200 ms and back.
struct Degradation: Sendable {
    var start: Double
    var rise = 3.0
    var plateau: Double
    var fall = 4.0
    /// Extra round trip at the plateau, ms.
    var peakMs: Double

    var end: Double { start + rise + plateau + fall }

    /// 0…1: how deep into the episode `t` is.
    func level(at t: Double) -> Double {
        let x = t - start
        if x <= 0 || t >= end { return 0 }
        if x < rise { return x / rise }
        if x < rise + plateau { return 1 }
        return (end - t) / fall
    }
}

/// A scenario's congestion: the round trip climbs to `targetRttMs` over `rampSeconds`, then
/// packets are lost at `lossPct`; `recover` eases both back over its own seconds.
struct Congestion: Sendable {
    var start: Double
    var rampSeconds: Double
    var targetRttMs: Double
    var lossPct: Double
    var recoverStart: Double?
    var recoverSeconds = 0.0

    /// 0…1 of the round trip's climb: rising, held, then easing during recovery.
    func level(at t: Double) -> Double {
        let climb = rampSeconds > 0 ? min(1, max(0, (t - start) / rampSeconds)) : (t >= start ? 1 : 0)
        return climb * easing(at: t)
    }

    /// 0…1 of the loss: none while the queues fill, full once the climb is done, easing with it.
    func lossLevel(at t: Double) -> Double {
        t >= start + rampSeconds ? easing(at: t) : 0
    }

    func isOver(at t: Double) -> Bool {
        guard let recoverStart else { return false }
        return t >= recoverStart + recoverSeconds
    }

    private func easing(at t: Double) -> Double {
        guard let recoverStart else { return 1 }
        guard recoverSeconds > 0 else { return t >= recoverStart ? 0 : 1 }
        return min(1, max(0, 1 - (t - recoverStart) / recoverSeconds))
    }
}

/// One path's state, stepped once per link sample.
struct PathModel: Sendable {
    let profile: PathProfile
    var up = true
    var degradation: Degradation?
    /// A scenario's congestion episode.
    var congestion: Congestion?
    private var rng: Xoshiro256
    private var queueZ = 0.0
    private var drift = 0.0
    private var spike = 0.0
    private var jitter: Double
    private var lastRtt: Double?
    private var burstUntil = -1.0
    private var burstPct = 0.0
    private var bandwidthZ = 0.0

    init(profile: PathProfile, seed: UInt64, stream: UInt64) {
        self.profile = profile
        rng = Xoshiro256(seed: seed, stream: stream)
        jitter = profile.jitterFloorMs + 1.5
        queueZ = rng.normal()
        drift = profile.driftMs * rng.normal()
        bandwidthZ = rng.normal()
    }

    /// The path's sample at `t`, `dt` seconds after the previous one.
    mutating func sample(at t: Double, dt: Double) -> LinkSample {
        let p = profile
        // Slow drift of the floor and of the bandwidth: AR(1) with the profile's time constant.
        let driftMemory = Math.exp(-dt / p.driftSeconds)
        drift = driftMemory * drift + (1 - driftMemory * driftMemory).squareRoot() * p.driftMs * rng.normal()
        let bandwidthMemory = Math.exp(-dt / 30)
        bandwidthZ = bandwidthMemory * bandwidthZ + (1 - bandwidthMemory * bandwidthMemory).squareRoot() * rng.normal()
        // Queueing: log-normal with short memory, as in the measured trace.
        queueZ = p.queueMemory * queueZ + (1 - p.queueMemory * p.queueMemory).squareRoot() * rng.normal()
        let queue = p.queueMedianMs * Math.exp(p.queueSigma * queueZ)
        spike *= 0.45
        if rng.chance(p.spikeChance) { spike += rng.uniform(p.spikeMs.lowerBound, p.spikeMs.upperBound) }
        // Loss bursts arrive as a Poisson process.
        if t >= burstUntil, rng.chance(dt / p.burstEverySeconds) {
            burstUntil = t + rng.uniform(p.burstSeconds.lowerBound, p.burstSeconds.upperBound)
            burstPct = rng.uniform(p.burstPct.lowerBound, p.burstPct.upperBound)
        }
        let bursting = t < burstUntil
        let degraded = degradation?.level(at: t) ?? 0
        let extra = degraded * (degradation?.peakMs ?? 0)
        if let d = degradation, t >= d.end { degradation = nil }
        let congested = congestion?.level(at: t) ?? 0
        if let c = congestion, c.isOver(at: t) { congestion = nil }

        let congestionMs = congested * max(0, (congestion?.targetRttMs ?? 0) - p.baseRttMs - p.queueMedianMs)
        let rtt = max(p.baseRttMs * 0.97, p.baseRttMs + drift + queue + spike + extra + congestionMs)
        // RFC 3550 interarrival jitter: a running mean of the one-way delay's change.
        if let lastRtt { jitter += (abs(rtt - lastRtt) / 2 + p.jitterFloorMs - jitter) / 16 }
        lastRtt = rtt

        var loss = 0.0
        if bursting {
            loss = burstPct * (0.8 + 0.4 * rng.unit())
        } else if rng.chance(p.lossChance) {
            loss = min(p.lossCapPct, p.lossMedianPct * Math.exp(0.8 * rng.normal()))
        }
        loss += degraded * rng.uniform(0.3, 1.0)
        if let c = congestion {
            // Queues overflow once the round trip has climbed: then packets are dropped.
            let dropping = c.lossLevel(at: t)
            if dropping > 0 { loss += dropping * c.lossPct * (0.8 + 0.4 * rng.unit()) }
        }

        var bandwidth = clamped(p.bandwidthMbps + p.bandwidthSpread * bandwidthZ,
                                p.bandwidthRange.lowerBound, p.bandwidthRange.upperBound)
        var fps = p.videoFps + 0.1 * (rng.wobble() * 1.2).rounded()
        if bursting {
            bandwidth *= 0.8
            fps -= loss * rng.uniform(3, 5)
        }
        if congested > 0 {
            bandwidth *= 1 - 0.5 * congested
            fps -= congested * 4
        }
        if degraded > 0 {
            bandwidth *= 1 - 0.35 * degraded
            fps -= degraded * rng.uniform(2, 6)
        }
        let videoDelay = rtt / 2 + p.videoPipelineMs + 2 * jitter + rng.wobble()

        guard up else { return LinkSample(path: p.name, up: false) }
        // Each reading within what it can physically be: a scenario's heavy congestion on top of
        // a burst must not report more than all packets lost, nor a negative frame rate.
        return LinkSample(path: p.name, up: true, rttMs: quantized(max(0, rtt), 10),
                          jitterMs: quantized(max(0, jitter), 10), lossPct: quantized(clamped(loss, 0, 100), 100),
                          bandwidthMbps: quantized(max(0, bandwidth), 10), videoFps: quantized(max(0, fps), 10),
                          videoDelayMs: quantized(max(0, videoDelay), 10))
    }
}
