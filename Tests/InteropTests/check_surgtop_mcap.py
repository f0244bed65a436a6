#!/usr/bin/env python3
"""Cross-checks a surgtop MCAP file (MCAPExport) with the official Python `mcap` and `jsonschema` packages
(.ci/requirements.txt), and prints what it found as JSON.

  check_surgtop_mcap.py FILE
"""
import json
import struct
import sys

import jsonschema
import zstandard
from mcap.reader import make_reader
from mcap.records import Chunk, Message
from mcap.stream_reader import StreamReader


def chunk_sequences(path):
    """The message sequences of every chunk, read from the chunks' own records."""
    chunks = []
    with open(path, "rb") as f:
        for record in StreamReader(f, emit_chunks=True).records:
            if not isinstance(record, Chunk):
                continue
            data = record.data
            if record.compression == "zstd":
                data = zstandard.ZstdDecompressor().decompress(data, max_output_size=record.uncompressed_size)
            sequences = set()
            at = 0
            while at < len(data):
                opcode, length = struct.unpack_from("<BQ", data, at)
                if opcode == 0x05:
                    sequences.add(struct.unpack_from("<HI", data, at + 9)[1])
                at += 9 + length
            chunks.append(sequences)
    return chunks


def main(path):
    out = {}
    # Every record read, chunk CRCs and the data section's CRC validated (raises on a mismatch).
    with open(path, "rb") as f:
        out["stream_messages"] = sum(1 for r in StreamReader(f, validate_crcs=True).records if isinstance(r, Message))

    with open(path, "rb") as f:
        reader = make_reader(f)
        summary = reader.get_summary()
        out["profile"] = reader.get_header().profile
        topic_of = {c.id: c.topic for c in summary.channels.values()}
        out["statistics"] = {topic_of[k]: v for k, v in summary.statistics.channel_message_counts.items()}
        out["chunk_indexes"] = len(summary.chunk_indexes)
        out["schemas"] = sorted({s.name for s in summary.schemas.values()})
        out["schema_encodings"] = sorted({s.encoding for s in summary.schemas.values()})
        out["message_encodings"] = sorted({c.message_encoding for c in summary.channels.values()})
        out["metadata"] = {m.name: dict(m.metadata) for m in reader.iter_metadata()}
        validators = {}
        for schema in summary.schemas.values():
            document = json.loads(schema.data)
            jsonschema.Draft202012Validator.check_schema(document)
            validators[schema.id] = jsonschema.Draft202012Validator(document)

    counts, invalid, first_invalid = {}, 0, []
    log_times = {}  # sequence -> set of log times (one per frame)
    first_messages = {}
    with open(path, "rb") as f:
        for schema, channel, message in make_reader(f).iter_messages(log_time_order=False):
            counts[channel.topic] = counts.get(channel.topic, 0) + 1
            document = json.loads(message.data)
            errors = list(validators[schema.id].iter_errors(document))
            if errors:
                invalid += 1
                if len(first_invalid) < 5:
                    first_invalid.append(f"{channel.topic}: {errors[0].message}")
            log_times.setdefault(message.sequence, set()).add(message.log_time)
            if message.log_time != message.publish_time:
                invalid += 1
            first_messages.setdefault(channel.topic, {"log_time": message.log_time, "data": document})
    out["messages"] = counts
    out["invalid"] = invalid
    out["first_invalid"] = first_invalid
    out["frames"] = len(log_times)
    out["frames_with_several_log_times"] = sum(1 for times in log_times.values() if len(times) > 1)
    out["first_messages"] = first_messages
    out["log_time_range"] = [summary.statistics.message_start_time, summary.statistics.message_end_time]

    chunks = chunk_sequences(path)
    out["chunks"] = len(chunks)
    seen, split = set(), 0
    for sequences in chunks:
        split += len(sequences & seen)
        seen |= sequences
    out["frames_split_across_chunks"] = split
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
