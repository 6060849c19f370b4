// IDX files and the Fashion-MNIST loader on small generated files: gzipped and plain files
// parse; truncated, corrupt or lying files are errors naming the file and the byte offset,
// never a crash; a missing data set names the Debian package that installs it.

#include <QtTest>

#include <zlib.h>

#include <cstdlib>
#include <fstream>

#include "core/data/fashion_mnist.h"
#include "core/data/idx_file.h"
#include "core/training/trainer.h"

using namespace gradflow::core;

namespace {

std::vector<std::uint8_t> idxBytes(std::vector<std::uint32_t> dims, const std::vector<std::uint8_t>& values) {
    std::vector<std::uint8_t> bytes{0, 0, 0x08, std::uint8_t(dims.size())};
    for (std::uint32_t d : dims)
        for (int shift : {24, 16, 8, 0}) bytes.push_back(std::uint8_t(d >> shift));
    bytes.insert(bytes.end(), values.begin(), values.end());
    return bytes;
}

std::vector<std::uint8_t> gzip(const std::vector<std::uint8_t>& raw) {
    z_stream s{};
    if (deflateInit2(&s, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) qFatal("deflateInit2");
    std::vector<std::uint8_t> out(deflateBound(&s, uLong(raw.size())));
    s.next_in = const_cast<Bytef*>(raw.data());
    s.avail_in = uInt(raw.size());
    s.next_out = out.data();
    s.avail_out = uInt(out.size());
    if (deflate(&s, Z_FINISH) != Z_STREAM_END) qFatal("deflate");
    out.resize(s.total_out);
    deflateEnd(&s);
    return out;
}

void writeFile(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const DataFileError& e) {
        return e.what();
    }
    return "no error";
}

std::vector<std::uint8_t> ramp(std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = std::uint8_t(i * 7 + 3);
    return v;
}

}  // namespace

class TestIdxFile : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::string path(const char* name) const { return (m_dir.path() + QLatin1Char('/') + QLatin1String(name)).toStdString(); }

private slots:
    void parsesPlainAndGzippedFiles() {
        const std::vector<std::uint8_t> values = ramp(3 * 4 * 5);
        const std::vector<std::uint8_t> raw = idxBytes({3, 4, 5}, values);
        writeFile(path("plain.idx"), raw);
        writeFile(path("packed.idx.gz"), gzip(raw));
        for (const char* name : {"plain.idx", "packed.idx.gz"}) {
            const IdxBytes idx = readIdxFile(path(name), 3);
            QCOMPARE(idx.dims, (std::vector<std::uint32_t>{3, 4, 5}));
            QVERIFY(idx.values == values);
        }
    }

    void hostileFilesNameTheFileAndOffset_data() {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<bool>("gzipped");
        QTest::addColumn<QString>("expected");
        const auto row = [](const char* name, const std::vector<std::uint8_t>& bytes, bool gz, const char* expected) {
            QTest::newRow(name) << QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size())) << gz
                                << QString(expected);
        };
        const std::vector<std::uint8_t> good = idxBytes({2, 3, 3}, ramp(18));
        row("empty", {}, false, "at byte offset 0: the IDX header ends early");
        row("header cut", {0, 0, 8}, false, "at byte offset 3: the IDX header ends early");
        row("sizes cut", std::vector<std::uint8_t>(good.begin(), good.begin() + 10), false, "at byte offset 10: the IDX header");
        row("values cut", std::vector<std::uint8_t>(good.begin(), good.end() - 5), false,
            "at byte offset 29: the data ends early: the header promises 18 values, the file holds 13 (truncated)");
        row(
            "trailing bytes",
            [&] {
                auto v = good;
                v.push_back(1);
                return v;
            }(),
            false, "at byte offset 34: 1 bytes beyond");
        row("not idx", {'P', 'K', 3, 4, 0, 0, 0, 0}, false, "at byte offset 0: not an IDX file");
        row(
            "float elements",
            [&] {
                auto v = good;
                v[2] = 0x0D;
                return v;
            }(),
            false, "at byte offset 2: element type 13");
        row(
            "wrong rank",
            [&] {
                auto v = good;
                v[3] = 2;
                return v;
            }(),
            false, "at byte offset 3: 2 dimensions; expected 3");
        row("huge sizes", idxBytes({0xFFFFFFFF, 0xFFFFFFFF, 2}, {}), false, "at byte offset 4: the sizes ask for more than");
        // Compressed input: the offsets count bytes of the .gz file.
        const std::vector<std::uint8_t> packed = gzip(idxBytes({40, 28, 28}, ramp(40 * 28 * 28)));
        row("gzip truncated", std::vector<std::uint8_t>(packed.begin(), packed.begin() + long(packed.size() / 2)), true,
            "the gzip data ends early (the file is truncated)");
        row(
            "gzip corrupt",
            [&] {
                auto v = packed;
                for (std::size_t i = 12; i < 40; ++i) v[i] ^= 0x5A;
                return v;
            }(),
            true, "corrupt gzip data");
        row(
            "gzip bad checksum",
            [&] {
                auto v = packed;
                v[v.size() - 6] ^= 1;
                return v;
            }(),
            true, "corrupt gzip data");
        row("gzip of a truncated idx", gzip(std::vector<std::uint8_t>(good.begin(), good.end() - 1)), true,
            "at byte offset 33: the data ends early");
    }
    void hostileFilesNameTheFileAndOffset() {
        QFETCH(QByteArray, contents);
        QFETCH(QString, expected);
        const std::string file = path("hostile.idx");
        writeFile(file, std::vector<std::uint8_t>(contents.begin(), contents.end()));
        const std::string error = errorOf([&] { readIdxFile(file, 3); });
        QVERIFY2(error.rfind(file + ": ", 0) == 0, error.c_str());
        QVERIFY2(QString::fromStdString(error).contains(expected), error.c_str());
    }

    void missingFileIsAnError() {
        const std::string error = errorOf([&] { readIdxFile(path("absent.idx"), 1); });
        QVERIFY2(error.find("absent.idx: cannot open the file") != std::string::npos, error.c_str());
    }

    // Small, well-formed files that are not Fashion-MNIST, and no files at all, through the
    // data set's own loader (the directory comes from GRADFLOW_FASHION_MNIST_DIR).
    void fashionLoaderRefusesWhatIsNotTheDataSet() {
        const QByteArray dir = QFile::encodeName(m_dir.path() + QStringLiteral("/fashion"));
        QDir().mkpath(QString::fromLocal8Bit(dir));
        qputenv("GRADFLOW_FASHION_MNIST_DIR", dir);
        std::string error = errorOf([] { fashionMnistImages(false); });
        QVERIFY2(error.find("Fashion-MNIST is not installed") != std::string::npos, error.c_str());
        QVERIFY2(error.find("sudo apt install dataset-fashion-mnist") != std::string::npos, error.c_str());
        QCOMPARE(error, fashionMnistMissing());
        ExperimentConfig config;
        config.data.kind = DataKind::FashionMnist;
        config.data.samples = 100;
        error = errorOf([&] { Trainer::create(config); });
        QVERIFY2(error.find("dataset-fashion-mnist") != std::string::npos, error.c_str());

        const std::string base = dir.toStdString() + "/";
        writeFile(base + "train-images-idx3-ubyte.gz", gzip(idxBytes({5, 28, 28}, ramp(5 * 784))));
        writeFile(base + "train-labels-idx1-ubyte.gz", gzip(idxBytes({5}, {0, 1, 2, 3, 4})));
        writeFile(base + "t10k-images-idx3-ubyte.gz", gzip(idxBytes({2, 14, 14}, ramp(2 * 196))));
        writeFile(base + "t10k-labels-idx1-ubyte.gz", gzip(idxBytes({2}, {0, 12})));
        QVERIFY(fashionMnistMissing().empty());
        error = errorOf([] { fashionMnistImages(false); });
        QVERIFY2(error.find("train-images-idx3-ubyte.gz: at byte offset 4: 5 images; expected 60000") != std::string::npos,
                 error.c_str());
        error = errorOf([] { fashionMnistImages(true); });
        QVERIFY2(error.find("t10k-images-idx3-ubyte.gz: at byte offset 8: images are 14x14 pixels") != std::string::npos,
                 error.c_str());
        qunsetenv("GRADFLOW_FASHION_MNIST_DIR");
    }
};

QTEST_APPLESS_MAIN(TestIdxFile)
#include "tst_idx_file.moc"
