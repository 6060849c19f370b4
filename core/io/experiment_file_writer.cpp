// Writing experiment files. A field is written when it matters for this configuration
// or differs from its default, so saved files stay short to read yet parse back to an
// equal ExperimentConfig.

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <random>
#include <system_error>

#if __has_include(<unistd.h>)
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "core/data/dataset.h"
#include "core/io/experiment_file.h"

#include <algorithm>
#include "core/config/experiment_names.h"
#include "core/config/schedule_names.h"
#include "core/io/json_value.h"
#include "core/model/activation.h"
#include "core/model/initializer.h"

namespace gradflow::core {
namespace {

JsonValue initFields(JsonValue obj, const InitSpec& init) {
    const InitSpec defaults;
    obj.set("init", std::string(enumName(initializerRegistry(), init.kind)));
    obj.set("gain", init.gain);
    if (init.kind == InitKind::Normal || init.std != defaults.std) obj.set("std", init.std);
    if (init.kind == InitKind::Uniform || init.limit != defaults.limit) obj.set("limit", init.limit);
    if (init.kind == InitKind::Constant || init.value != defaults.value) obj.set("value", init.value);
    return obj;
}

void setActivation(JsonValue& obj, const ActivationSpec& activation) {
    const ActivationInfo& info = activationInfo(activation.kind);
    obj.set("activation", std::string(info.name));
    if (info.takesSlope || activation.slope != ActivationSpec{}.slope) obj.set("slope", activation.slope);
    if (info.takesAlpha || activation.alpha != ActivationSpec{}.alpha) obj.set("alpha", activation.alpha);
}

JsonValue layerEntry(const LayerSpec& layer, int repeat) {
    JsonValue entry = JsonValue::object();
    if (repeat > 1) entry.set("repeat", repeat);
    entry.set("width", layer.width);
    setActivation(entry, layer.activation);
    entry = initFields(std::move(entry), layer.init);
    entry.set("batchnorm", layer.batchNorm);
    // Only when on, so files written before layer norm existed are written as they were.
    if (layer.layerNorm) entry.set("layernorm", true);
    if (layer.dropout != 0.0) entry.set("dropout", layer.dropout);
    return entry;
}

/// Runs of identical consecutive layers become one entry with "repeat".
JsonValue layerList(const std::vector<LayerSpec>& layers) {
    JsonValue list = JsonValue::array();
    for (std::size_t i = 0; i < layers.size();) {
        std::size_t end = i + 1;
        while (end < layers.size() && layers[end] == layers[i]) ++end;
        list.push(layerEntry(layers[i], static_cast<int>(end - i)));
        i = end;
    }
    return list;
}

JsonValue recurrentObject(const RecurrentSpec& r) {
    JsonValue rec = JsonValue::object();
    rec.set("cell", std::string(enumName(kCellNames, r.cell)));
    rec.set("hidden_size", r.hiddenSize);
    setActivation(rec, r.activation);
    rec.set("input_init", initFields(JsonValue::object(), r.inputInit));
    rec.set("recurrent_init", initFields(JsonValue::object(), r.recurrentInit));
    rec.set("forget_bias", r.forgetBias);
    return rec;
}

JsonValue modelObject(const ExperimentConfig& config) {
    const ExperimentConfig defaults;
    const bool recurrent = config.model == ModelKind::Recurrent;
    JsonValue model = JsonValue::object();
    model.set("kind", std::string(enumName(kModelKindNames, config.model)));
    if (!recurrent || config.layers != defaults.layers) model.set("layers", layerList(config.layers));
    if (!recurrent || config.residual != defaults.residual) {
        JsonValue residual = JsonValue::object();
        residual.set("every", config.residual.every);
        // Only when set, so files written before branch scaling existed are written as they were.
        if (config.residual.branchScale != BranchScaleKind::None)
            residual.set("branch_scale", std::string(enumName(kBranchScaleRegistry, config.residual.branchScale)));
        if (config.residual.fixup) residual.set("fixup", true);
        model.set("residual", std::move(residual));
    }
    if (config.lsuv) model.set("lsuv", true);
    if (config.biasInit != defaults.biasInit) {
        JsonValue bias = JsonValue::object();
        bias.set("value", config.biasInit.value);
        bias.set("std", config.biasInit.std);
        model.set("bias_init", std::move(bias));
    }
    if (recurrent || config.recurrent != defaults.recurrent) model.set("recurrent", recurrentObject(config.recurrent));
    return model;
}

JsonValue trainingObject(const TrainingSpec& t) {
    const OptimizerSpec& o = t.optimizer;
    const OptimizerSpec d;
    const bool momentum = o.kind == OptimizerKind::Momentum;
    const bool rmsprop = o.kind == OptimizerKind::RmsProp;
    const bool adam = o.kind == OptimizerKind::Adam;
    JsonValue training = JsonValue::object();
    training.set("optimizer", std::string(enumName(kOptimizerRegistry, o.kind)));
    training.set("learning_rate", o.learningRate);
    if (momentum || o.momentum != d.momentum) training.set("momentum", o.momentum);
    if (momentum || o.nesterov != d.nesterov) training.set("nesterov", o.nesterov);
    if (rmsprop || o.rho != d.rho) training.set("rho", o.rho);
    if (adam || o.beta1 != d.beta1) training.set("beta1", o.beta1);
    if (adam || o.beta2 != d.beta2) training.set("beta2", o.beta2);
    if (rmsprop || adam || o.epsilon != d.epsilon) training.set("epsilon", o.epsilon);
    if (o.weightDecay != d.weightDecay) training.set("weight_decay", o.weightDecay);
    training.set("batch_size", t.batchSize);
    JsonValue clip = JsonValue::object();
    clip.set("mode", std::string(enumName(kClipModeNames, t.clip.mode)));
    if (t.clip.mode != ClipMode::Off || t.clip.threshold != ClipSpec{}.threshold) clip.set("threshold", t.clip.threshold);
    training.set("clip", std::move(clip));
    training.set("loss", std::string(enumName(kLossNames, t.loss)));
    // Written only when it changes anything, so files without a schedule stay as they were.
    if (t.schedule != ScheduleSpec{}) {
        const ScheduleSpec& s = t.schedule;
        const ScheduleSpec sd;
        JsonValue schedule = JsonValue::object();
        schedule.set("kind", std::string(enumName(kScheduleRegistry, s.kind)));
        if (s.warmupSteps != sd.warmupSteps) schedule.set("warmup_steps", s.warmupSteps);
        if (s.kind == ScheduleKind::StepDecay || s.decayEvery != sd.decayEvery) schedule.set("decay_every", s.decayEvery);
        if (s.kind == ScheduleKind::StepDecay || s.decayFactor != sd.decayFactor) schedule.set("decay_factor", s.decayFactor);
        if (s.kind == ScheduleKind::Cosine || s.cosineSteps != sd.cosineSteps) schedule.set("cosine_steps", s.cosineSteps);
        if (s.kind == ScheduleKind::Cosine || s.finalFraction != sd.finalFraction)
            schedule.set("final_fraction", s.finalFraction);
        training.set("schedule", std::move(schedule));
    }
    return training;
}

JsonValue dataObject(const DataSpec& d) {
    const DataKindInfo& info = dataKindInfo(d.kind);
    const DataSpec defaults;
    JsonValue data = JsonValue::object();
    data.set("kind", std::string(info.name));
    data.set("samples", d.samples);
    data.set("noise", d.noise);
    if (info.takesClasses || d.classes != defaults.classes) data.set("classes", d.classes);
    if (info.sequence || d.sequenceLength != defaults.sequenceLength) data.set("sequence_length", d.sequenceLength);
    if (info.classification || d.testFraction != defaults.testFraction) data.set("test_fraction", d.testFraction);
    if (info.classification || d.testEvery != defaults.testEvery) data.set("test_every", d.testEvery);
    const bool images = d.kind == DataKind::FashionMnist;
    if (images || d.imageSize != defaults.imageSize) data.set("image_size", d.imageSize);
    if (images || d.standardize != defaults.standardize) data.set("standardize", d.standardize);
    return data;
}

/// Creates and opens a new file beside `path` (same file system, so the rename is atomic)
/// that no other save can be using; its name goes to `temp`. nullptr with errno set on failure.
std::FILE* openTemporary(const std::string& path, std::string& temp) {
#if __has_include(<unistd.h>)
    // mkstemp picks the name and creates the file in one step, so two saves (or another
    // program) can never end up writing the same temporary.
    std::string name = path + ".tmp-XXXXXX";
    const int fd = ::mkstemp(name.data());
    if (fd < 0) return nullptr;
    // mkstemp creates the file 0600; a saved experiment gets the permissions any new file
    // gets (0666 less the umask), as it did when saves used fopen.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    std::FILE* file = ::fchmod(fd, 0666 & ~mask) == 0 ? ::fdopen(fd, "wb") : nullptr;
    if (file == nullptr) {
        const int error = errno;
        ::close(fd);
        ::unlink(name.c_str());
        errno = error;
        return nullptr;
    }
    temp = std::move(name);
    return file;
#else
    std::random_device device;
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".tmp-%08x", static_cast<unsigned>(device()));
    temp = path + suffix;
    return std::fopen(temp.c_str(), "wb");
#endif
}

JsonValue experimentJson(const ExperimentConfig& config) {
    JsonValue root = JsonValue::object();
    root.set("format", "gradflow-experiment");
    root.set("version", ExperimentConfig::kFormatVersion);
    root.set("seed", static_cast<std::uint64_t>(config.seed));
    root.set("precision", std::string(enumName(kPrecisionNames, config.precision)));
    if (config.lesson != LessonSpec{}) {
        JsonValue lesson = JsonValue::object();
        lesson.set("title", config.lesson.title);
        lesson.set("explanation", config.lesson.explanation);
        lesson.set("suggested_steps", config.lesson.suggestedSteps);
        if (config.lesson.statistic)
            lesson.set("statistic", std::string(enumName(kUnitStatisticNames, *config.lesson.statistic)));
        root.set("lesson", std::move(lesson));
    }
    root.set("data", dataObject(config.data));
    root.set("model", modelObject(config));
    root.set("training", trainingObject(config.training));
    if (config.run != RunSpec{}) {
        JsonValue run = JsonValue::object();
        run.set("steps_done", std::max<std::int64_t>(0, config.run.stepsDone));
        if (!config.run.comparison.empty()) run.set("compare", config.run.comparison);
        root.set("run", std::move(run));
    }
    return root;
}

}  // namespace

std::string serializeExperiment(const ExperimentConfig& config) { return writeJson(experimentJson(config)); }

std::string serializeExperimentOneLine(const ExperimentConfig& config) { return writeJsonOneLine(experimentJson(config)); }

std::string saveExperimentFile(const std::string& path, const ExperimentConfig& config) {
    const std::string text = serializeExperiment(config);
    std::string temp;
    std::FILE* file = openTemporary(path, temp);
    if (file == nullptr) return "cannot write '" + path + "': " + std::error_code(errno, std::generic_category()).message();
    bool ok = std::fwrite(text.data(), 1, text.size(), file) == text.size() && std::fflush(file) == 0;
    int error = ok ? 0 : errno;
#if __has_include(<unistd.h>)
    // Data on disk before the rename, or a power cut could leave an empty file behind it.
    if (ok && ::fsync(::fileno(file)) != 0) {
        ok = false;
        error = errno;
    }
#endif
    if (std::fclose(file) != 0 && ok) {
        ok = false;
        error = errno;
    }
    std::error_code ec;
    if (ok) {
        std::filesystem::rename(temp, path, ec);  // atomic replace on POSIX
        if (!ec) return {};
        error = ec.value();
    }
    std::filesystem::remove(temp, ec);
    return "cannot write '" + path + "': " + std::error_code(error, std::generic_category()).message();
}

}  // namespace gradflow::core
