#!/usr/bin/env python3
"""Cross-checks surgtop's MCAP module with the official Python `mcap` package (.ci/requirements.txt).

  mcap_check.py read FILE   validate FILE (CRCs included) and print what it holds as JSON
  mcap_check.py write FILE  write a chunked, zstd-compressed file for the Swift reader
"""
import json
import struct
import sys
import zlib

import zstandard

from mcap.reader import make_reader
from mcap.records import Chunk, DataEnd, Footer, Message
from mcap.stream_reader import StreamReader
from mcap.writer import CompressionType, Writer


def check_indexes(path, summary):
    """Every Message Index entry points, inside its decompressed chunk, at a Message of that channel and time;
    the summary CRC (which `mcap` does not check) matches. Returns the number of entries checked."""
    data = open(path, "rb").read()
    footer_at = len(data) - 8 - 29
    summary_start, offset_start, summary_crc = struct.unpack_from("<QQI", data, footer_at + 9)
    assert summary_crc == zlib.crc32(data[summary_start:footer_at + 25]), "summary CRC mismatch"
    entries = 0
    for index in summary.chunk_indexes:
        start = index.chunk_start_offset
        assert data[start] == 0x06, f"chunk index points at opcode {data[start]}, not a Chunk"
        assert struct.unpack_from("<Q", data, start + 1)[0] + 9 == index.chunk_length
        stored = data[start + index.chunk_length - index.compressed_size:start + index.chunk_length]
        records = zstandard.ZstdDecompressor().decompress(stored, max_output_size=index.uncompressed_size) \
            if index.compression == "zstd" else stored
        assert len(records) == index.uncompressed_size
        for channel_id, at in index.message_index_offsets.items():
            assert data[at] == 0x07, "message index offset does not point at a Message Index"
            channel, length = struct.unpack_from("<HI", data, at + 9)
            assert channel == channel_id
            for k in range(length // 16):
                log_time, offset = struct.unpack_from("<QQ", data, at + 15 + 16 * k)
                assert records[offset] == 0x05, "message index entry does not point at a Message"
                m_channel, _, m_time = struct.unpack_from("<HIQ", records, offset + 9)
                assert (m_channel, m_time) == (channel_id, log_time)
                entries += 1
    return entries


def read(path):
    # Every record, chunk and data-section CRCs validated (raises on a mismatch).
    records = {"chunks": 0, "messages_in_stream": 0, "data_section_crc": False, "summary_crc": False}
    with open(path, "rb") as f:
        for record in StreamReader(f, emit_chunks=True).records:
            if isinstance(record, Chunk):
                records["chunks"] += 1
    with open(path, "rb") as f:
        for record in StreamReader(f, validate_crcs=True).records:
            if isinstance(record, Message):
                records["messages_in_stream"] += 1
            elif isinstance(record, DataEnd):
                records["data_section_crc"] = record.data_section_crc != 0
            elif isinstance(record, Footer):
                records["summary_crc"] = record.summary_crc != 0
    with open(path, "rb") as f:
        reader = make_reader(f, validate_crcs=True)
        summary = reader.get_summary()
        counts, decoded = {}, 0
        for schema, channel, message in reader.iter_messages(log_time_order=True):
            counts[channel.topic] = counts.get(channel.topic, 0) + 1
            if channel.message_encoding == "json":
                json.loads(message.data)
                decoded += 1
        # The indexed path: chunk indexes must point at chunks whose message indexes find every message.
        indexed = sum(1 for _ in reader.iter_messages(starting_at=summary.statistics.message_start_time))
        metadata = {m.name: m.metadata for m in reader.iter_metadata()}
        stats = summary.statistics
        print(json.dumps({
            "records": records,
            "topics": counts,
            "json_decoded": decoded,
            "indexed_messages": indexed,
            "message_index_entries": check_indexes(path, summary),
            "schemas": sorted(s.name for s in summary.schemas.values()),
            "channels": sorted(c.topic for c in summary.channels.values()),
            "chunk_indexes": len(summary.chunk_indexes),
            "statistics": {
                "message_count": stats.message_count,
                "channel_count": stats.channel_count,
                "schema_count": stats.schema_count,
                "chunk_count": stats.chunk_count,
                "metadata_count": stats.metadata_count,
                "message_start_time": stats.message_start_time,
                "message_end_time": stats.message_end_time,
                "channel_message_counts": {summary.channels[k].topic: v for k, v in stats.channel_message_counts.items()},
            },
            "metadata": metadata,
        }, sort_keys=True))


def write(path):
    with open(path, "wb") as f:
        writer = Writer(f, chunk_size=4096, compression=CompressionType.ZSTD)
        writer.start(profile="", library="python mcap")
        schema = writer.register_schema("Sample", "jsonschema", b'{"type":"object"}')
        channels = [writer.register_channel(f"/py/{i}", "json", schema, {"n": str(i)}) for i in range(3)]
        for k in range(600):
            channel = channels[k % 3]
            data = json.dumps({"k": k, "v": k * 0.5}).encode()
            writer.add_message(channel, log_time=1_700_000_000_000_000_000 + k * 1_000_000, data=data,
                               publish_time=1_700_000_000_000_000_000 + k * 1_000_000, sequence=k)
        writer.add_metadata("origin", {"writer": "python"})
        writer.finish()


if __name__ == "__main__":
    {"read": read, "write": write}[sys.argv[1]](sys.argv[2])
