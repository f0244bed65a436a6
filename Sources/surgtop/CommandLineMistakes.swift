import ArgumentParser
import Foundation

/// One sentence for a command line argument-parser would answer with something misleading: a
/// word that names no command reaches the default command (`demo`), which only says it has no
/// such argument, and options typed before the command are judged as the demo's.
enum CommandLineMistakes {
    /// The words that name a command (`help` is argument-parser's own).
    static var commandNames: [String] {
        Surgtop.configuration.subcommands.map { $0._commandName } + ["help"]
    }

    static func unknownCommand(_ word: String) -> String {
        let known = commandNames.dropLast().joined(separator: ", ")
        return "unknown command '\(word)': the commands are \(known) (see surgtop --help)"
    }

    /// Checked before parsing: a first word that names no command, or `help` of one that does not exist.
    static func beforeParsing(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        guard commandNames.contains(first) else { return unknownCommand(first) }
        if first == "help", let topic = arguments.dropFirst().first, !topic.hasPrefix("-"), !commandNames.contains(topic) {
            return unknownCommand(topic)
        }
        return nil
    }

    /// Checked after parsing failed, for a command line that starts with options (the demo's
    /// place): the first word that is not an option or an option's value is either a command,
    /// typed after its options, or no command at all.
    static func afterFailure(_ arguments: [String]) -> String? {
        guard let first = arguments.first, first.hasPrefix("-") else { return nil }
        let (valueOptions, flags) = demoOptions()
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" { return nil }
            if word.hasPrefix("-") && word != "-" {
                let name = String(word.prefix { $0 != "=" })
                if !word.contains("="), !flags.contains(name), index + 1 < arguments.count {
                    let next = arguments[index + 1]
                    // A known option's value; or, after an option the demo does not know (it
                    // may take a value), any word but a command's name.
                    if valueOptions.contains(name) || !commandNames.contains(next) { index += 1 }
                }
                index += 1
                continue
            }
            guard commandNames.contains(word) else { return unknownCommand(word) }
            let corrected = ["surgtop", word] + arguments[(index + 1)...] + arguments[..<index]
            return "options go after the command: \(corrected.joined(separator: " "))"
        }
        return nil
    }

    /// After parsing failed: the first option the named command does not know ("surgtop live
    /// --frob"), which argument-parser would otherwise hide behind the command's own check of
    /// its arguments ("give the gateway as HOST:PORT…").
    static func unknownOption(_ arguments: [String]) -> String? {
        guard let first = arguments.first,
              let command = Surgtop.configuration.subcommands.first(where: { $0._commandName == first }) else { return nil }
        let (valueOptions, flags) = options(of: command)
        var index = 1
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" { return nil }
            index += 1
            guard word.hasPrefix("-") && word != "-" else { continue }
            let name = String(word.prefix { $0 != "=" })
            if valueOptions.contains(name) {
                if !word.contains("=") { index += 1 }  // its value, whatever it looks like
            } else if !flags.contains(name) {
                return "unknown option '\(name)'"
            }
        }
        return nil
    }

    /// The demo's options that take a value, and its flags, as `--name` and `-n`.
    static func demoOptions() -> (values: Set<String>, flags: Set<String>) {
        options(of: Demo.self)
    }

    /// A command's options that take a value, and its flags, as `--name` and `-n`, read from
    /// argument-parser's own description of the command so that they never go out of date.
    static func options(of command: any ParsableCommand.Type) -> (values: Set<String>, flags: Set<String>) {
        var values: Set<String> = [], flags: Set<String> = ["-h", "--help", "--version"]
        guard let object = try? JSONSerialization.jsonObject(with: Data(command._dumpHelp().utf8)) as? [String: Any],
              let command = object["command"] as? [String: Any],
              let arguments = command["arguments"] as? [[String: Any]] else { return (values, flags) }
        for argument in arguments {
            let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { name -> String? in
                guard let text = name["name"] as? String else { return nil }
                return (name["kind"] as? String == "short" ? "-" : "--") + text
            }
            switch argument["kind"] as? String {
            case "option": values.formUnion(names)
            case "flag": flags.formUnion(names)
            default: break
            }
        }
        return (values, flags)
    }

    /// argument-parser's message as one sentence: its first line, without "Error: ", starting
    /// in lower case as every other sentence after "surgtop: " does.
    static func oneLine(_ message: String) -> String {
        var line = Substring(message.split(separator: "\n", omittingEmptySubsequences: true).first ?? "")
        if line.hasPrefix("Error: ") { line = line.dropFirst("Error: ".count) }
        if let first = line.first, first.isUppercase, line.dropFirst().first?.isLowercase == true {
            return first.lowercased() + line.dropFirst()
        }
        return String(line)
    }
}
