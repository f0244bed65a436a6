import Telemetry

/// How a replay is playing, in the one wording the header and the timeline share: never a
/// speed it is not reaching, the speed a pause will resume at, and an end that says so.
enum Playback {
    enum Kind: Equatable {
        case playing, behind, paused, ended
    }

    /// "▶ 4×"; "▶ 23× of 64×" when the machine reaches only 23×; "❚❚ PAUSED · 4× on resume";
    /// "■ END" once the recording has played to its end.
    static func text(_ replay: ReplayStatus, glyphs g: Glyphs) -> (text: String, kind: Kind) {
        if replay.ended { return ((g.unicode ? "■" : "[]") + " END", .ended) }
        let speed = Format.speed(replay.speed) + g.times
        if replay.paused { return (g.pause + " PAUSED " + g.dot + " " + speed + " on resume", .paused) }
        // Behind only when clearly short of the speed asked for (the model says so only then;
        // this guards any other caller), and never in numbers that read as the same speed.
        if let reached = replay.achievedSpeed, reached.isFinite, reached >= 0, reached < replay.speed * shortfall {
            let shown = reachedText(reached)
            if shown != Format.speed(replay.speed) { return (g.play + " " + shown + g.times + " of " + speed, .behind) }
        }
        return (g.play + " " + speed, .playing)
    }

    /// Below this fraction of the speed asked for, the replay is behind.
    static let shortfall = 0.9

    /// The rate reached, rounded down to two significant figures ("23", "1.2", "0.04"): honest
    /// enough, steady, and never more than it is. "<0.01" below that.
    static func reachedText(_ reached: Double) -> String {
        guard reached >= 0.01 else { return "<0.01" }
        var decimals = reached >= 10 ? 0 : 1
        var scale = reached >= 10 ? 1.0 : 10
        while reached * scale < 10 {
            decimals += 1
            scale *= 10
        }
        // The small allowance keeps 0.29 (0.28999… in binary) from printing as 0.28.
        return NumberText.trimmed((reached * scale + 1e-9).rounded(.down) / scale, decimals)
    }

    /// Playing in the replay's blue; a shortfall in yellow and a pause as a yellow badge, so
    /// neither is taken for full-speed playback; the end plainly bold.
    static func style(_ kind: Kind, _ theme: Theme) -> Style {
        switch kind {
        case .playing: theme.style(.blue, .bold)
        case .behind: theme.severity(.medium)
        case .paused: theme.badge(.medium)
        case .ended: theme.bold
        }
    }

    static func span(_ replay: ReplayStatus, _ p: PanelContext) -> Span {
        var replay = replay
        // A source that has ended has played its recording out, whoever set the flag.
        if case .ended = p.view.source { replay.ended = true }
        let (text, kind) = text(replay, glyphs: p.glyphs)
        return Span(text, style(kind, p.theme))
    }
}
