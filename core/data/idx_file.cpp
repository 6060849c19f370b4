#include "core/data/idx_file.h"

#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace gradflow::core {

namespace {

// The largest IDX file GradFlow reads is Fashion-MNIST's training images, 47 MB inflated.
constexpr std::size_t kMaxIdxBytes = std::size_t(256) << 20;

std::string at(const std::string& path, std::uint64_t offset) {
    return path + ": at byte offset " + std::to_string(offset) + ": ";
}

std::vector<std::uint8_t> readWholeFile(const std::string& path) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) throw DataFileError(path + ": cannot open the file");
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(path, error);
    if (error) throw DataFileError(path + ": cannot read its size (" + error.message() + ")");
    if (size > kMaxIdxBytes) throw DataFileError(path + ": larger than " + std::to_string(kMaxIdxBytes >> 20) + " MiB");
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
    const std::size_t got = std::fread(bytes.data(), 1, bytes.size(), file.get());
    if (got != bytes.size()) throw DataFileError(at(path, got) + "read error (the file shrank or the disk failed)");
    return bytes;
}

std::vector<std::uint8_t> inflateGzip(const std::vector<std::uint8_t>& packed, const std::string& path, std::size_t maxBytes) {
    z_stream stream{};
    // 16 + MAX_WBITS: a gzip wrapper, whose CRC zlib checks at the end of the member.
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) throw DataFileError(path + ": zlib could not start inflating");
    struct End {
        z_stream& s;
        ~End() { inflateEnd(&s); }
    } end{stream};
    stream.next_in = const_cast<Bytef*>(packed.data());  // zlib's API is not const-correct; it only reads
    stream.avail_in = static_cast<uInt>(packed.size());
    // A gzip member ends with its inflated size mod 2^32: right for files below 4 GiB, and
    // only a first guess (the loop grows the buffer if it lies), so a 47 MB file is inflated
    // into one allocation instead of a string of doublings.
    std::size_t guess = packed.size() * 4 + 1024;
    if (packed.size() >= 18) {
        const std::size_t n = packed.size();
        guess = std::size_t(packed[n - 4]) | std::size_t(packed[n - 3]) << 8 | std::size_t(packed[n - 2]) << 16 |
                std::size_t(packed[n - 1]) << 24;
        guess = std::max<std::size_t>(guess, 1024) + 1;  // + 1: a right guess ends with room to spare, not a regrow
    }
    std::vector<std::uint8_t> out(std::min(maxBytes, guess));
    while (true) {
        if (stream.total_out == out.size()) {
            if (out.size() >= maxBytes)
                throw DataFileError(at(path, stream.total_in) + "inflates to more than " + std::to_string(maxBytes >> 20) +
                                    " MiB");
            out.resize(std::min(maxBytes, out.size() * 2));
        }
        stream.next_out = out.data() + stream.total_out;
        stream.avail_out = static_cast<uInt>(out.size() - stream.total_out);
        const int status = inflate(&stream, Z_NO_FLUSH);
        if (status == Z_STREAM_END) break;
        if (status == Z_OK) continue;
        if (status == Z_BUF_ERROR && stream.avail_in == 0)
            throw DataFileError(at(path, stream.total_in) + "the gzip data ends early (the file is truncated)");
        if (status == Z_BUF_ERROR) continue;  // the output was full; it grows above
        throw DataFileError(at(path, stream.total_in) + "corrupt gzip data (" + (stream.msg ? stream.msg : "zlib error") + ")");
    }
    out.resize(stream.total_out);
    return out;
}

std::uint32_t bigEndian32(std::span<const std::uint8_t> bytes, std::size_t offset) {
    return std::uint32_t(bytes[offset]) << 24 | std::uint32_t(bytes[offset + 1]) << 16 | std::uint32_t(bytes[offset + 2]) << 8 |
           std::uint32_t(bytes[offset + 3]);
}

}  // namespace

std::vector<std::uint8_t> inflateIfGzipped(std::vector<std::uint8_t> bytes, const std::string& path, std::size_t maxBytes) {
    if (bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) return inflateGzip(bytes, path, maxBytes);
    return bytes;
}

std::vector<std::uint8_t> readMaybeGzipped(const std::string& path, std::size_t maxBytes) {
    return inflateIfGzipped(readWholeFile(path), path, maxBytes);
}

namespace {

/// Checks the header and sizes; returns where the values start.
std::size_t checkIdx(std::span<const std::uint8_t> bytes, int expectedDims, const std::string& path, IdxBytes& idx) {
    constexpr std::uint8_t kUnsignedByte = 0x08;
    if (bytes.size() < 4) throw DataFileError(at(path, bytes.size()) + "the IDX header ends early (4 bytes needed)");
    if (bytes[0] != 0 || bytes[1] != 0) throw DataFileError(at(path, 0) + "not an IDX file (it must start with two zero bytes)");
    if (bytes[2] != kUnsignedByte)
        throw DataFileError(at(path, 2) + "element type " + std::to_string(bytes[2]) + " is not unsigned byte (8)");
    if (bytes[3] != expectedDims)
        throw DataFileError(at(path, 3) + std::to_string(bytes[3]) + " dimensions; expected " + std::to_string(expectedDims));
    const std::size_t headerEnd = 4 + 4 * std::size_t(expectedDims);
    if (bytes.size() < headerEnd)
        throw DataFileError(at(path, bytes.size()) + "the IDX header ends early (" + std::to_string(headerEnd) +
                            " bytes needed)");
    std::uint64_t count = 1;
    for (int d = 0; d < expectedDims; ++d) {
        const std::size_t offset = 4 + 4 * std::size_t(d);
        const std::uint32_t size = bigEndian32(bytes, offset);
        idx.dims.push_back(size);
        count *= size;
        if (count > kMaxIdxBytes)
            throw DataFileError(at(path, offset) + "the sizes ask for more than " + std::to_string(kMaxIdxBytes >> 20) + " MiB");
    }
    const std::uint64_t available = bytes.size() - headerEnd;
    if (available < count) {
        throw DataFileError(at(path, bytes.size()) + "the data ends early: the header promises " + std::to_string(count) +
                            " values, the file holds " + std::to_string(available) + " (truncated)");
    }
    if (available > count)
        throw DataFileError(at(path, headerEnd + count) + std::to_string(available - count) +
                            " bytes beyond the promised values");
    return headerEnd;
}

}  // namespace

IdxBytes parseIdx(std::span<const std::uint8_t> bytes, int expectedDims, const std::string& path) {
    IdxBytes idx;
    const std::size_t headerEnd = checkIdx(bytes, expectedDims, path, idx);
    idx.values.assign(bytes.begin() + static_cast<std::ptrdiff_t>(headerEnd), bytes.end());
    return idx;
}

IdxBytes readIdxFile(const std::string& path, int expectedDims) {
    IdxBytes idx;
    idx.values = readMaybeGzipped(path, kMaxIdxBytes);
    const std::size_t headerEnd = checkIdx(idx.values, expectedDims, path, idx);
    // The values move to the front of the buffer they were inflated into: no second 47 MB copy.
    idx.values.erase(idx.values.begin(), idx.values.begin() + static_cast<std::ptrdiff_t>(headerEnd));
    return idx;
}

}  // namespace gradflow::core
