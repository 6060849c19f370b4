#pragma once
// IDX files, the format of the MNIST family: a magic number naming the element type and
// the number of dimensions, the sizes (big-endian 32-bit), then the values. The files ship
// gzipped; zlib inflates them. A damaged file is a DataFileError naming the file and the
// byte offset where it stopped making sense, never a crash or a read past the end.

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace gradflow::core {

class DataFileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Unsigned-byte IDX contents: dims (outermost first) and the values in file order.
struct IdxBytes {
    std::vector<std::uint32_t> dims;
    std::vector<std::uint8_t> values;
};

/// A gzip member is inflated (offsets in its errors count bytes of the compressed file);
/// a file without the gzip magic is returned as it is. Refuses more than `maxBytes` of
/// output, so a crafted file cannot exhaust memory. Throws DataFileError.
std::vector<std::uint8_t> readMaybeGzipped(const std::string& path, std::size_t maxBytes);

/// The same for bytes already in memory (`path` only names the file in messages).
std::vector<std::uint8_t> inflateIfGzipped(std::vector<std::uint8_t> bytes, const std::string& path, std::size_t maxBytes);

/// Parses IDX bytes of element type unsigned byte with `expectedDims` dimensions; offsets in
/// errors count bytes of the uncompressed contents. `path` only names the file in messages.
IdxBytes parseIdx(std::span<const std::uint8_t> bytes, int expectedDims, const std::string& path);

/// readMaybeGzipped + parseIdx.
IdxBytes readIdxFile(const std::string& path, int expectedDims);

}  // namespace gradflow::core
