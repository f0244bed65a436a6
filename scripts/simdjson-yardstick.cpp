// The yardstick for surgtop's decoder (issue 14): simdjson, the fastest general JSON parser, doing the
// decoder's job on the same NDJSON file, so `scripts/bench` can print surgtop's rate as a ratio to it.
//
// From every line it extracts, with their types, the fields surgtop's FrameDecoder reads from an arm
// recording: `t` (double), `type` (string), `seq` (integer), and for `arm` frames `arm`, `state`
// (strings), `homed`, `following` (booleans), `jaw` (double) and the arrays `position`, `velocity`,
// `effort`, `tip`, `orientation`, `twist` as doubles (all optional but `t`, `type` and `arm`).
// Both APIs are measured: On-Demand (iterate_many) and DOM (parse_many). The file is loaded once; each
// run parses it all from memory, as `surgtop-bench decode` does, and the best of N runs counts.
// One thread, like surgtop's decoder: the parsers' background stage-1 thread is switched off.
// Each frame's members are visited once, in the order they come: looking each field up instead costs
// On-Demand a rescan of the whole object per absent optional field (a fifth of its speed here).
// Everything read goes into a checksum (so nothing is optimised away); both APIs must agree on it.
//
// On-Demand's stage 2 is compiled here: for the portable kernel, or with -march=native for this CPU's
// (scripts/bench builds both and keeps the better rate; the defines match Debian's library build).
//   c++ -O3 [-march=native] -std=c++17 -DSIMDJSON_THREADS_ENABLED=1 scripts/simdjson-yardstick.cpp
//       -o simdjson-yardstick -lsimdjson
//   simdjson-yardstick FILE [--runs N]
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

#define YARDSTICK_TEXT(x) #x
#define YARDSTICK_VERSION(x) YARDSTICK_TEXT(x)

using simdjson::error_code;

namespace {

const char *const kVersion = YARDSTICK_VERSION(SIMDJSON_VERSION);
const char *const kOnDemandKernel = YARDSTICK_VERSION(SIMDJSON_BUILTIN_IMPLEMENTATION);

enum class Member { t, type, seq, arm, state, homed, following, array, jaw, other };

// Compares raw keys (On-Demand's raw_json_string) as well as plain ones (DOM's string_view).
template <typename Key>
Member member(const Key &key) {
    if (key == "t") return Member::t;
    if (key == "type") return Member::type;
    if (key == "seq") return Member::seq;
    if (key == "arm") return Member::arm;
    if (key == "state") return Member::state;
    if (key == "homed") return Member::homed;
    if (key == "following") return Member::following;
    if (key == "position" || key == "velocity" || key == "effort" || key == "tip" || key == "orientation" ||
        key == "twist")
        return Member::array;
    if (key == "jaw") return Member::jaw;
    return Member::other;
}

// What one frame contributed. Sums of bit patterns, so the result does not depend on member order.
struct FrameSums {
    uint64_t common = 0, arm = 0;
    bool hasT = false, hasType = false, isArm = false, hasArm = false;
};

uint64_t bits(double x) {
    uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
}

// Reads one member's value with the type the decoder expects. Arm-frame members are read whatever
// the type (it may come later) and count only once the frame turns out to be an arm frame.
template <typename Value>
error_code readMember(Member which, Value value, FrameSums &sums) {
    double x;
    std::string_view text;
    bool flag;
    int64_t n;
    switch (which) {
    case Member::t:
        if (auto e = value.get_double().get(x)) return e;
        sums.hasT = true;
        sums.common += bits(x);
        break;
    case Member::type:
        if (auto e = value.get_string().get(text)) return e;
        sums.hasType = true;
        sums.isArm = text == "arm";
        sums.common += text.size();
        break;
    case Member::seq:
        if (auto e = value.get_int64().get(n)) return e;
        sums.common += uint64_t(n);
        break;
    case Member::arm:
    case Member::state:
        if (auto e = value.get_string().get(text)) return e;
        sums.hasArm |= which == Member::arm;
        sums.arm += text.size() + (text.empty() ? 0 : uint8_t(text[0]));
        break;
    case Member::homed:
    case Member::following:
        if (auto e = value.get_bool().get(flag)) return e;
        sums.arm += flag;
        break;
    case Member::array: {
        std::decay_t<decltype(value.get_array().value_unsafe())> values;
        if (auto e = value.get_array().get(values)) return e;
        for (auto element : values) {
            if (auto e = element.get_double().get(x)) return e;
            sums.arm += bits(x);
        }
        break;
    }
    case Member::jaw:
        if (auto e = value.get_double().get(x)) return e;
        sums.arm += bits(x);
        break;
    case Member::other:
        break;  // skipped unread, as the decoder skips members it does not know
    }
    return simdjson::SUCCESS;
}

error_code finish(const FrameSums &sums, uint64_t &checksum) {
    if (!sums.hasT || !sums.hasType || (sums.isArm && !sums.hasArm)) return simdjson::NO_SUCH_FIELD;
    checksum += sums.common + (sums.isArm ? sums.arm : 0);
    return simdjson::SUCCESS;
}

struct Tally {
    long frames = 0;
    long errors = 0;
    uint64_t checksum = 0;
};

// --- On-Demand -------------------------------------------------------------------------------------

error_code onDemandFrame(simdjson::ondemand::document_reference doc, uint64_t &checksum) {
    simdjson::ondemand::object frame;
    if (auto e = doc.get_object().get(frame)) return e;
    FrameSums sums;
    for (auto result : frame) {
        simdjson::ondemand::field field;
        if (auto e = std::move(result).get(field)) return e;
        if (auto e = readMember(member(field.key()), field.value(), sums)) return e;
    }
    return finish(sums, checksum);
}

Tally onDemandRun(simdjson::ondemand::parser &parser, const simdjson::padded_string &json) {
    Tally tally;
    simdjson::ondemand::document_stream stream;
    if (parser.iterate_many(json).get(stream)) { tally.errors = 1; return tally; }
    for (auto doc : stream) {
        simdjson::ondemand::document_reference ref;
        if (std::move(doc).get(ref) || onDemandFrame(ref, tally.checksum)) { tally.errors++; continue; }
        tally.frames++;
    }
    return tally;
}

// --- DOM -------------------------------------------------------------------------------------------

error_code domFrame(simdjson::dom::element doc, uint64_t &checksum) {
    simdjson::dom::object frame;
    if (auto e = doc.get_object().get(frame)) return e;
    FrameSums sums;
    for (auto field : frame) {
        if (auto e = readMember(member(field.key), field.value, sums)) return e;
    }
    return finish(sums, checksum);
}

Tally domRun(simdjson::dom::parser &parser, const simdjson::padded_string &json) {
    Tally tally;
    simdjson::dom::document_stream stream;
    if (parser.parse_many(json).get(stream)) { tally.errors = 1; return tally; }
    for (auto doc : stream) {
        simdjson::dom::element element;
        if (std::move(doc).get(element) || domFrame(element, tally.checksum)) { tally.errors++; continue; }
        tally.frames++;
    }
    return tally;
}

// Best wall time of `runs` runs; the tally is the last run's (every run reads the same file).
template <typename Run>
double bestOf(int runs, Tally &tally, Run run) {
    double best = 1e300;
    for (int i = 0; i < runs; i++) {
        auto start = std::chrono::steady_clock::now();
        tally = run();
        std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        if (took.count() < best) best = took.count();
    }
    return best;
}

void print(const char *api, const char *key, const Tally &tally, double seconds, size_t bytes) {
    std::printf("simdjson %s: %ld frames (%ld errors) in %.3f s = %ld frames/s, %.0f MB/s\n", api, tally.frames,
                tally.errors, seconds, long(double(tally.frames) / seconds), double(bytes) / seconds / 1e6);
    std::printf("%s %ld\n", key, long(double(tally.frames) / seconds));
}

}  // namespace

int main(int argc, char **argv) {
    const char *path = nullptr;
    int runs = 5;
    for (int i = 1; i < argc; i++) {
        if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = std::atoi(argv[++i]);
        } else if (argv[i][0] != '-' && !path) {
            path = argv[i];
        } else {
            std::fprintf(stderr, "usage: %s FILE [--runs N]\n", argv[0]);
            return 2;
        }
    }
    if (!path || runs < 1) {
        std::fprintf(stderr, "usage: %s FILE [--runs N]  (N at least 1)\n", argv[0]);
        return 2;
    }
    simdjson::padded_string json;
    if (auto e = simdjson::padded_string::load(path).get(json)) {
        std::fprintf(stderr, "cannot load %s: %s\n", path, simdjson::error_message(e));
        return 1;
    }
    // Stage 1 is chosen at run time; On-Demand's stage 2 is compiled into this program.
    std::printf("simdjson %s, stage 1: %s, On-Demand compiled for: %s\n", kVersion,
                simdjson::get_active_implementation()->name().c_str(), kOnDemandKernel);

    simdjson::ondemand::parser onDemandParser;
    onDemandParser.threaded = false;
    Tally onDemand;
    double onDemandTime = bestOf(runs, onDemand, [&] { return onDemandRun(onDemandParser, json); });
    print("On-Demand (iterate_many)", "ONDEMAND_FRAMES_PER_SECOND", onDemand, onDemandTime, json.size());

    simdjson::dom::parser domParser;
    domParser.threaded = false;
    Tally dom;
    double domTime = bestOf(runs, dom, [&] { return domRun(domParser, json); });
    print("DOM (parse_many)", "DOM_FRAMES_PER_SECOND", dom, domTime, json.size());

    std::printf("CHECKSUM %016llx\n", (unsigned long long)onDemand.checksum);
    if (onDemand.frames != dom.frames || onDemand.errors != dom.errors || onDemand.checksum != dom.checksum) {
        std::printf("the APIs disagree: On-Demand %ld frames, %ld errors, checksum %016llx; "
                    "DOM %ld frames, %ld errors, checksum %016llx\n",
                    onDemand.frames, onDemand.errors, (unsigned long long)onDemand.checksum, dom.frames, dom.errors,
                    (unsigned long long)dom.checksum);
        return 1;
    }
    return 0;
}
