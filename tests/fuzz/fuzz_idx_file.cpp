// libFuzzer target: arbitrary bytes into the IDX reader, as a plain file or (when they start
// with the gzip magic) a gzip member. It must never crash, hang, over-allocate or trip a
// sanitizer; every refusal is a DataFileError whose message names the file.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/data/idx_file.h"

using namespace gradflow::core;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string name = "fuzz.idx";
    try {
        // 16 MiB keeps a run fast; the limit itself is what a crafted "gzip bomb" meets.
        const std::vector<std::uint8_t> bytes = inflateIfGzipped(std::vector<std::uint8_t>(data, data + size), name, 16u << 20);
        const int dims = size > 3 ? data[3] % 4 : 1;
        const IdxBytes idx = parseIdx(bytes, dims, name);
        std::uint64_t count = 1;
        for (std::uint32_t d : idx.dims) count *= d;
        if (count != idx.values.size()) std::abort();  // accepted, so it must hold what it promised
    } catch (const DataFileError& e) {
        if (std::string(e.what()).rfind(name + ": ", 0) != 0) std::abort();
    }
    return 0;
}
