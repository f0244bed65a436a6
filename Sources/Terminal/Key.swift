import CCurses

/// One key press (or a resize) as the console sees it.
public enum Key: Sendable, Equatable {
    /// A printable character, space included.
    case character(Character)
    /// A control character other than those named below: 3 is Ctrl-C (the screen runs raw).
    case control(UInt8)
    case escape, enter, tab, backTab, backspace
    case up, down, left, right, pageUp, pageDown, home, end
    /// The terminal changed size. ncurses has already resized its screen: re-read
    /// `TerminalBackend.size`, render a buffer of that size and present all of it.
    case resize
    /// F1 … F63.
    case function(Int)
    /// A key code ncurses reported that has no case here (Insert, Delete, mouse, …).
    case unknown(Int32)
}

extension Key {
    /// The key for a character `wget_wch` returned with `OK`.
    static func fromCharacter(_ value: UInt32) -> Key {
        switch value {
        case 0x1B: return .escape
        case 0x0D, 0x0A: return .enter        // nonl(): Enter is CR; Ctrl-J (LF) means the same
        case 0x09: return .tab
        case 0x7F, 0x08: return .backspace     // DEL from most terminals, BS (Ctrl-H) from some
        case 0x00..<0x20: return .control(UInt8(value))
        case 0x80..<0xA0: return .unknown(Int32(value)) // C1 controls are never printable
        default:
            guard let scalar = Unicode.Scalar(value) else { return .unknown(Int32(bitPattern: value)) }
            return .character(Character(scalar))
        }
    }

    /// The key for a code `wget_wch` returned with `KEY_CODE_YES`.
    static func fromKeyCode(_ code: Int32) -> Key {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_BTAB: return .backTab
        case KEY_BACKSPACE: return .backspace
        case KEY_ENTER: return .enter
        case KEY_RESIZE: return .resize
        case surg_key_f(1)...surg_key_f(63): return .function(Int(code - surg_key_f(0)))
        default: return .unknown(code)
        }
    }
}
