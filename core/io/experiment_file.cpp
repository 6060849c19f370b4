// Reading experiment files: JSON -> ExperimentConfig, every problem named by its field.

#include "core/io/experiment_file.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/config/experiment_names.h"
#include "core/config/schedule_names.h"
#include "core/data/dataset.h"
#include "core/io/json_value.h"
#include "core/model/activation.h"
#include "core/model/initializer.h"

namespace gradflow::core {
namespace {

constexpr std::string_view kFormatName = "gradflow-experiment";
constexpr std::size_t kMaxIssues = 50;

/// Walks the JSON tree. A field that is missing keeps its default; a field that is wrong
/// keeps its default too and leaves an issue, so one pass reports every problem.
class Reader {
public:
    std::vector<ConfigIssue> issues;

    void add(std::string field, std::string message) {
        if (issues.size() < kMaxIssues) issues.push_back({std::move(field), std::move(message)});
    }

    /// True if `value` is an object; unknown keys are reported with the allowed ones.
    bool object(const JsonValue& value, const std::string& path, std::initializer_list<std::string_view> allowed) {
        if (!value.isObject()) {
            add(path, std::string("must be an object; got ") + jsonTypeName(value.type()));
            return false;
        }
        for (const JsonMember& member : value.asObject()) {
            if (std::find(allowed.begin(), allowed.end(), member.key) != allowed.end()) continue;
            std::string list;
            for (std::string_view key : allowed) {
                if (!list.empty()) list += ", ";
                list += key;
            }
            add(join(path, printableKey(member.key)), "unknown key; allowed keys here: " + list);
        }
        return true;
    }

    void number(const JsonValue& obj, const std::string& path, std::string_view key, double& out) {
        const JsonValue* v = obj.find(key);
        if (v == nullptr) return;
        if (!v->isNumber()) return wrongType(join(path, key), "a number", *v);
        out = v->asDouble();
    }

    /// An integer in [lo, hi]; 64.0 counts as an integer, 64.5 does not.
    bool integer(const JsonValue& obj, const std::string& path, std::string_view key, long long lo, long long hi,
                 long long& out) {
        const JsonValue* v = obj.find(key);
        if (v == nullptr) return false;
        const std::string field = join(path, key);
        const std::string range = "must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
        if (!v->isNumber()) {
            wrongType(field, "an integer", *v);
            return false;
        }
        const double d = v->asDouble();
        if (d != std::floor(d) || d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
            add(field, range + "; got " + formatJsonNumber(d));
            return false;
        }
        out = static_cast<long long>(d);
        return true;
    }

    void integer(const JsonValue& obj, const std::string& path, std::string_view key, long long lo, long long hi, int& out) {
        long long value = 0;
        if (integer(obj, path, key, lo, hi, value)) out = static_cast<int>(value);
    }

    void boolean(const JsonValue& obj, const std::string& path, std::string_view key, bool& out) {
        const JsonValue* v = obj.find(key);
        if (v == nullptr) return;
        if (!v->isBool()) return wrongType(join(path, key), "true or false", *v);
        out = v->asBool();
    }

    void text(const JsonValue& obj, const std::string& path, std::string_view key, std::string& out) {
        const JsonValue* v = obj.find(key);
        if (v == nullptr) return;
        if (!v->isString()) return wrongType(join(path, key), "a string", *v);
        out = v->asString();
    }

    template <NameRegistry Registry>
    void name(const JsonValue& obj, const std::string& path, std::string_view key, const Registry& names,
              RegistryKind<Registry>& out) {
        const JsonValue* v = obj.find(key);
        if (v == nullptr) return;
        const std::string field = join(path, key);
        if (v->isString() && enumFromName(names, v->asString(), out)) return;
        const std::string got = v->isString() ? "\"" + printableKey(v->asString()) + "\"" : jsonTypeName(v->type());
        add(field, "must be one of " + enumNameList(names) + "; got " + got);
    }

    void wrongType(const std::string& field, const std::string& expected, const JsonValue& got) {
        add(field, "must be " + expected + "; got " + jsonTypeName(got.type()));
    }

    static std::string join(const std::string& path, std::string_view key) {
        return path.empty() ? std::string(key) : path + "." + std::string(key);
    }

    /// Keys come from hostile files: keep messages one line and short.
    static std::string printableKey(const std::string& key) {
        std::string out;
        for (char c : key.substr(0, 64)) out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
        return key.size() > 64 ? out + "..." : out;
    }
};

struct ReadContext {
    Reader& r;
    ExperimentConfig& config;
    std::vector<int> entryOfLayer;  ///< file entry index per expanded layer (for messages)
};

void readInit(ReadContext& c, const JsonValue& obj, const std::string& path, InitSpec& init) {
    c.r.name(obj, path, "init", initializerRegistry(), init.kind);
    c.r.number(obj, path, "gain", init.gain);
    c.r.number(obj, path, "std", init.std);
    c.r.number(obj, path, "limit", init.limit);
    c.r.number(obj, path, "value", init.value);
}

void readLayers(ReadContext& c, const JsonValue& layers) {
    Reader& r = c.r;
    if (!layers.isArray()) return r.wrongType("model.layers", "an array of layer objects", layers);
    if (layers.asArray().empty()) return r.add("model.layers", "must hold at least one layer");
    std::vector<LayerSpec> expanded;
    std::vector<int> entryOf;
    const auto& entries = layers.asArray();
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::string path = "model.layers[" + std::to_string(i) + "]";
        if (!r.object(entries[i], path,
                      {"repeat", "width", "activation", "slope", "alpha", "init", "gain", "std", "limit", "value", "batchnorm",
                       "layernorm", "dropout"}))
            continue;
        const JsonValue& e = entries[i];
        LayerSpec layer;
        long long repeat = 1;
        r.integer(e, path, "repeat", 1, ExperimentLimits::maxDepth, repeat);
        r.integer(e, path, "width", 1, ExperimentLimits::maxWidth, layer.width);
        r.name(e, path, "activation", activationRegistry(), layer.activation.kind);
        r.number(e, path, "slope", layer.activation.slope);
        r.number(e, path, "alpha", layer.activation.alpha);
        readInit(c, e, path, layer.init);
        r.boolean(e, path, "batchnorm", layer.batchNorm);
        r.boolean(e, path, "layernorm", layer.layerNorm);
        r.number(e, path, "dropout", layer.dropout);
        // Bound the expansion before allocating: "repeat": 1e9 must not build a billion layers.
        if (static_cast<long long>(expanded.size()) + repeat > ExperimentLimits::maxDepth) {
            return r.add("model.layers", "more than " + std::to_string(ExperimentLimits::maxDepth) +
                                             " hidden layers in total (the repeats add up past the limit at " + path + ")");
        }
        expanded.insert(expanded.end(), static_cast<std::size_t>(repeat), layer);
        entryOf.insert(entryOf.end(), static_cast<std::size_t>(repeat), static_cast<int>(i));
    }
    c.config.layers = std::move(expanded);
    c.entryOfLayer = std::move(entryOf);
}

void readRecurrent(ReadContext& c, const JsonValue& rec) {
    Reader& r = c.r;
    const std::string path = "model.recurrent";
    if (!r.object(rec, path,
                  {"cell", "hidden_size", "activation", "slope", "alpha", "input_init", "recurrent_init", "forget_bias"}))
        return;
    RecurrentSpec& spec = c.config.recurrent;
    r.name(rec, path, "cell", kCellNames, spec.cell);
    r.integer(rec, path, "hidden_size", 1, ExperimentLimits::maxHiddenSize, spec.hiddenSize);
    r.name(rec, path, "activation", activationRegistry(), spec.activation.kind);
    r.number(rec, path, "slope", spec.activation.slope);
    r.number(rec, path, "alpha", spec.activation.alpha);  // written by the shared activation writer
    r.number(rec, path, "forget_bias", spec.forgetBias);
    for (auto [key, init] : {std::pair{"input_init", &spec.inputInit}, std::pair{"recurrent_init", &spec.recurrentInit}}) {
        const JsonValue* v = rec.find(key);
        const std::string sub = path + "." + key;
        if (v != nullptr && r.object(*v, sub, {"init", "gain", "std", "limit", "value"})) readInit(c, *v, sub, *init);
    }
}

void readModel(ReadContext& c, const JsonValue& model) {
    Reader& r = c.r;
    if (!r.object(model, "model", {"kind", "layers", "residual", "lsuv", "bias_init", "recurrent"})) return;
    r.name(model, "model", "kind", kModelKindNames, c.config.model);
    if (const JsonValue* layers = model.find("layers")) readLayers(c, *layers);
    if (const JsonValue* residual = model.find("residual");
        residual && r.object(*residual, "model.residual", {"every", "branch_scale", "fixup"})) {
        r.integer(*residual, "model.residual", "every", 0, ExperimentLimits::maxDepth, c.config.residual.every);
        r.name(*residual, "model.residual", "branch_scale", kBranchScaleRegistry, c.config.residual.branchScale);
        r.boolean(*residual, "model.residual", "fixup", c.config.residual.fixup);
    }
    r.boolean(model, "model", "lsuv", c.config.lsuv);
    if (const JsonValue* bias = model.find("bias_init"); bias && r.object(*bias, "model.bias_init", {"value", "std"})) {
        r.number(*bias, "model.bias_init", "value", c.config.biasInit.value);
        r.number(*bias, "model.bias_init", "std", c.config.biasInit.std);
    }
    if (const JsonValue* rec = model.find("recurrent")) readRecurrent(c, *rec);
}

void readTraining(ReadContext& c, const JsonValue& training) {
    Reader& r = c.r;
    const std::string path = "training";
    if (!r.object(training, path,
                  {"optimizer", "learning_rate", "momentum", "nesterov", "rho", "beta1", "beta2", "epsilon", "weight_decay",
                   "batch_size", "clip", "loss", "schedule"}))
        return;
    TrainingSpec& t = c.config.training;
    r.name(training, path, "optimizer", kOptimizerRegistry, t.optimizer.kind);
    r.number(training, path, "learning_rate", t.optimizer.learningRate);
    r.number(training, path, "momentum", t.optimizer.momentum);
    r.boolean(training, path, "nesterov", t.optimizer.nesterov);
    r.number(training, path, "rho", t.optimizer.rho);
    r.number(training, path, "beta1", t.optimizer.beta1);
    r.number(training, path, "beta2", t.optimizer.beta2);
    r.number(training, path, "epsilon", t.optimizer.epsilon);
    r.number(training, path, "weight_decay", t.optimizer.weightDecay);
    r.integer(training, path, "batch_size", 1, ExperimentLimits::maxSamples, t.batchSize);
    r.name(training, path, "loss", kLossNames, t.loss);
    if (const JsonValue* clip = training.find("clip"); clip && r.object(*clip, "training.clip", {"mode", "threshold"})) {
        r.name(*clip, "training.clip", "mode", kClipModeNames, t.clip.mode);
        r.number(*clip, "training.clip", "threshold", t.clip.threshold);
    }
    if (const JsonValue* schedule = training.find("schedule");
        schedule && r.object(*schedule, "training.schedule",
                             {"kind", "warmup_steps", "decay_every", "decay_factor", "cosine_steps", "final_fraction"})) {
        const std::string at = "training.schedule";
        ScheduleSpec& s = t.schedule;
        r.name(*schedule, at, "kind", kScheduleRegistry, s.kind);
        r.integer(*schedule, at, "warmup_steps", 0, ExperimentLimits::maxScheduleSteps, s.warmupSteps);
        r.integer(*schedule, at, "decay_every", 1, ExperimentLimits::maxScheduleSteps, s.decayEvery);
        r.number(*schedule, at, "decay_factor", s.decayFactor);
        r.integer(*schedule, at, "cosine_steps", 1, ExperimentLimits::maxScheduleSteps, s.cosineSteps);
        r.number(*schedule, at, "final_fraction", s.finalFraction);
    }
}

void readData(ReadContext& c, const JsonValue& data) {
    Reader& r = c.r;
    if (!r.object(data, "data",
                  {"kind", "samples", "noise", "classes", "sequence_length", "test_fraction", "test_every", "image_size",
                   "standardize"}))
        return;
    DataSpec& d = c.config.data;
    r.name(data, "data", "kind", dataKindRegistry(), d.kind);
    r.integer(data, "data", "samples", 1, ExperimentLimits::maxSamples, d.samples);
    r.number(data, "data", "noise", d.noise);
    r.integer(data, "data", "classes", 2, ExperimentLimits::maxClasses, d.classes);
    r.integer(data, "data", "sequence_length", 1, ExperimentLimits::maxSequenceLength, d.sequenceLength);
    r.number(data, "data", "test_fraction", d.testFraction);
    r.integer(data, "data", "test_every", 1, ExperimentLimits::maxTestEvery, d.testEvery);
    r.integer(data, "data", "image_size", 7, 28, d.imageSize);
    r.boolean(data, "data", "standardize", d.standardize);
}

void readLesson(ReadContext& c, const JsonValue& lesson) {
    Reader& r = c.r;
    if (!r.object(lesson, "lesson", {"title", "explanation", "suggested_steps", "statistic"})) return;
    r.text(lesson, "lesson", "title", c.config.lesson.title);
    r.text(lesson, "lesson", "explanation", c.config.lesson.explanation);
    r.integer(lesson, "lesson", "suggested_steps", 0, 10'000'000, c.config.lesson.suggestedSteps);
    // Optional: absent means the views' default, so only a valid name sets it.
    if (const JsonValue* v = lesson.find("statistic")) {
        UnitStatisticKind statistic = UnitStatisticKind::WeightGradient;
        if (v->isString() && enumFromName(kUnitStatisticNames, v->asString(), statistic)) c.config.lesson.statistic = statistic;
        else r.name(lesson, "lesson", "statistic", kUnitStatisticNames, statistic);  // names the problem
    }
}

/// Returns false when the header says the rest must not be read (foreign or newer file).
bool readHeader(ReadContext& c, const JsonValue& root) {
    Reader& r = c.r;
    const JsonValue* format = root.find("format");
    if (format == nullptr || !format->isString() || format->asString() != kFormatName) {
        r.add("format", "must be \"gradflow-experiment\" (is this a GradFlow experiment file?)");
        return false;
    }
    const JsonValue* version = root.find("version");
    const int current = ExperimentConfig::kFormatVersion;
    if (version == nullptr) {
        r.add("version", "missing; this GradFlow writes version " + std::to_string(current));
        return false;
    }
    if (!version->isNumber() || version->asDouble() != std::floor(version->asDouble()) || version->asDouble() < 1) {
        r.add("version", "must be a positive integer; got " +
                             (version->isNumber() ? formatJsonNumber(version->asDouble()) : jsonTypeName(version->type())));
        return false;
    }
    if (version->asDouble() > current) {
        r.add("version", "this file was written by a newer GradFlow (format version " + formatJsonNumber(version->asDouble()) +
                             "; this build reads up to version " + std::to_string(current) + "); please update GradFlow");
        return false;
    }
    return true;
}

void readRun(ReadContext& c, const JsonValue& run) {
    Reader& r = c.r;
    if (!r.object(run, "run", {"steps_done", "compare"})) return;
    long long steps = 0;
    if (r.integer(run, "run", "steps_done", 0, ExperimentLimits::maxRunSteps, steps)) c.config.run.stepsDone = steps;
    r.text(run, "run", "compare", c.config.run.comparison);
}

void readRoot(ReadContext& c, const JsonValue& root) {
    Reader& r = c.r;
    if (!root.isObject()) {
        r.add("file", std::string("must hold a JSON object; got ") + jsonTypeName(root.type()));
        return;
    }
    if (!readHeader(c, root)) return;
    r.object(root, "", {"format", "version", "seed", "precision", "lesson", "data", "model", "training", "run"});
    if (const JsonValue* seed = root.find("seed")) {
        const JsonNumber& n = seed->asNumber();
        if (seed->isNumber() && n.isInteger && (!n.negative || n.magnitude == 0)) c.config.seed = n.magnitude;
        else r.add("seed", "must be an integer in [0, 18446744073709551615]");
    }
    r.name(root, "", "precision", kPrecisionNames, c.config.precision);
    if (const JsonValue* v = root.find("lesson")) readLesson(c, *v);
    if (const JsonValue* v = root.find("data")) readData(c, *v);
    if (const JsonValue* v = root.find("model")) readModel(c, *v);
    if (const JsonValue* v = root.find("training")) readTraining(c, *v);
    if (const JsonValue* v = root.find("run")) readRun(c, *v);
}

/// Validation names expanded layers; a file names its entries. "model.layers[25].width"
/// becomes "model.layers[1].width" when entry 1 holds a repeat covering layer 25.
void renameLayerField(std::string& field, const std::vector<int>& entryOfLayer) {
    static constexpr std::string_view prefix = "model.layers[";
    if (field.compare(0, prefix.size(), prefix) != 0) return;
    const std::size_t close = field.find(']', prefix.size());
    if (close == std::string::npos) return;
    const std::size_t layer = std::stoul(field.substr(prefix.size(), close - prefix.size()));
    if (layer >= entryOfLayer.size()) return;
    field = std::string(prefix) + std::to_string(entryOfLayer[layer]) + field.substr(close);
}

}  // namespace

std::string ExperimentLoadResult::errorText() const {
    std::string text;
    for (const ConfigIssue& issue : errors) {
        if (!text.empty()) text += '\n';
        text += issue.text();
    }
    return text;
}

ExperimentLoadResult parseExperiment(std::string_view json) {
    ExperimentLoadResult result;
    JsonLimits limits;
    limits.maxBytes = kMaxExperimentFileBytes;
    const JsonParseResult parsed = parseJson(json, limits);
    if (!parsed.ok) {
        result.errors.push_back({"json", parsed.error});
        return result;
    }
    Reader reader;
    ReadContext context{reader, result.config, {}};
    readRoot(context, parsed.value);
    result.errors = std::move(reader.issues);
    if (!result.errors.empty() && (result.errors.front().field == "format" || result.errors.front().field == "version" ||
                                   result.errors.front().field == "file"))
        return result;
    for (ConfigIssue issue : validateExperiment(result.config)) {
        renameLayerField(issue.field, context.entryOfLayer);
        const auto same = [&](const ConfigIssue& e) { return e.field == issue.field; };
        // A field already reported by the reader kept its default; don't report it twice.
        if (std::none_of(result.errors.begin(), result.errors.end(), same) && result.errors.size() < kMaxIssues)
            result.errors.push_back(std::move(issue));
    }
    return result;
}

ExperimentLoadResult loadExperimentFile(const std::string& path) {
    ExperimentLoadResult result;
    const auto fail = [&](std::string message) {
        result.errors.push_back({"file", "'" + path + "': " + std::move(message)});
        return result;
    };
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return fail("is a directory, not an experiment file");
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail("cannot be opened for reading");
    // Read at most one byte past the limit: a 50 MB (or endless) file is refused unread.
    std::string text(kMaxExperimentFileBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) return fail("could not be read");
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxExperimentFileBytes)
        return fail("is larger than " + std::to_string(kMaxExperimentFileBytes) + " bytes; experiment files are small JSON");
    return parseExperiment(text);
}

}  // namespace gradflow::core
