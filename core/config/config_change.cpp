#include "core/config/config_change.h"

#include <algorithm>
#include <functional>
#include <iomanip>
#include <sstream>

#include "core/config/change_ids.h"
#include "core/config/experiment_names.h"
#include "core/config/experiment_validation.h"
#include "core/config/schedule_names.h"
#include "core/model/activation.h"
#include "core/model/initializer.h"

namespace gradflow::core {

namespace {

bool feedForward(const ExperimentConfig& c) { return c.model == ModelKind::FeedForward; }
bool recurrent(const ExperimentConfig& c) { return c.model == ModelKind::Recurrent; }

bool allLayers(const ExperimentConfig& c, const std::function<bool(const LayerSpec&)>& test) {
    return std::all_of(c.layers.begin(), c.layers.end(), test);
}

std::string activationWord(const ActivationSpec& spec) { return std::string(activationInfo(spec.kind).label); }

/// "sigmoid" for a uniform stack, "mixed activations" otherwise.
std::string stackActivation(const ExperimentConfig& c) {
    if (c.layers.empty()) return "no hidden layers";
    const ActivationKind first = c.layers.front().activation.kind;
    if (!allLayers(c, [&](const LayerSpec& l) { return l.activation.kind == first; })) return "mixed activations";
    return activationWord(c.layers.front().activation);
}

std::string gainSuffix(double gain) {
    if (gain == 1.0) return {};
    std::ostringstream out;
    out << " (gain " << std::setprecision(3) << gain << ")";
    return out.str();
}

std::string stackInit(const ExperimentConfig& c) {
    if (c.layers.empty()) return "no hidden layers";
    const InitSpec& first = c.layers.front().init;
    if (!allLayers(c, [&](const LayerSpec& l) { return l.init.kind == first.kind && l.init.gain == first.gain; }))
        return "mixed initialisations";
    return std::string(initializerInfo(first.kind).label) + gainSuffix(first.gain);
}

std::string number(double value) {
    std::ostringstream out;
    out << std::setprecision(3) << value;
    return out.str();
}

// The rate Srivastava et al. (2014) use for hidden units.
constexpr double kComparedDropout = 0.5;

// Warmup over a tenth of the lesson (at least 10 updates), or 100 updates without one.
int warmupFor(const ExperimentConfig& c) {
    return c.lesson.suggestedSteps > 0 ? std::max(10, c.lesson.suggestedSteps / 10) : 100;
}

// A schedule's decay spans the lesson, or 1000 updates without one.
int scheduleHorizon(const ExperimentConfig& c) { return c.lesson.suggestedSteps > 0 ? c.lesson.suggestedSteps : 1000; }

std::string cellWord(CellKind cell) {
    const CellInfo* info = findEntry(kCellNames, cell);
    return info ? std::string(info->label) : "?";
}

/// One catalogue entry: when it applies, what it does, how it reads for a config.
struct ChangeRule {
    std::string_view id;
    std::function<bool(const ExperimentConfig&)> applies;  ///< beyond "result valid and different"
    std::function<void(ExperimentConfig&)> apply;
    std::function<ConfigChange(const ExperimentConfig&)> describe;
};

ChangeRule setActivation(std::string_view id, ActivationKind kind) {
    return {id, feedForward,
            [kind](ExperimentConfig& c) {
                for (LayerSpec& l : c.layers) l.activation.kind = kind;
            },
            [kind](const ExperimentConfig& c) {
                const std::string word(activationInfo(kind).label);
                return ConfigChange{{},
                                    word + " everywhere",
                                    stackActivation(c),
                                    "Every hidden layer uses " + word + "; weights, data and seed stay the same."};
            }};
}

ChangeRule setInit(std::string_view id, InitKind kind) {
    return {id, feedForward,
            [kind](ExperimentConfig& c) {
                for (LayerSpec& l : c.layers) {
                    l.init.kind = kind;
                    l.init.gain = 1.0;
                }
            },
            [kind](const ExperimentConfig& c) {
                const std::string word(initializerInfo(kind).label);
                return ConfigChange{
                    {},
                    word + " initialisation",
                    stackInit(c),
                    "Every hidden layer starts from " + word + " weights (gain 1); activations, data and seed stay the same."};
            }};
}

ChangeRule setCell(std::string_view id, CellKind cell) {
    return {id, [cell](const ExperimentConfig& c) { return recurrent(c) && c.recurrent.cell != cell; },
            [cell](ExperimentConfig& c) { c.recurrent.cell = cell; },
            [cell](const ExperimentConfig& c) {
                return ConfigChange{{},
                                    cellWord(cell) + " cell",
                                    cellWord(c.recurrent.cell) + " cell",
                                    "The same task and sequence length with a " + cellWord(cell) +
                                        " cell: watch how far back in time the gradient reaches."};
            }};
}

std::string branchScaleWords(BranchScaleKind kind) {
    switch (kind) {
    case BranchScaleKind::None: return "unscaled residual branches";
    case BranchScaleKind::ReZero: return "ReZero residual branches";
    case BranchScaleKind::InverseSqrtBlocks: return "residual branches scaled by 1/sqrt(B)";
    }
    return "?";
}

ChangeRule setBranchScale(std::string_view id, BranchScaleKind kind, std::string explanation) {
    return {
        id,
        [kind](const ExperimentConfig& c) { return feedForward(c) && c.residual.every > 0 && c.residual.branchScale != kind; },
        [kind](ExperimentConfig& c) { c.residual.branchScale = kind; },
        [kind, explanation](const ExperimentConfig& c) {
            return ConfigChange{{}, branchScaleWords(kind), branchScaleWords(c.residual.branchScale), explanation};
        }};
}

const std::vector<ChangeRule>& rules() {
    static const std::vector<ChangeRule> table = {
        {"batch-norm-on",
         [](const ExperimentConfig& c) {
             return feedForward(c) && !allLayers(c, [](const LayerSpec& l) { return l.batchNorm; });
         },
         [](ExperimentConfig& c) {
             for (LayerSpec& l : c.layers) l.batchNorm = true;
         },
         [](const ExperimentConfig&) {
             return ConfigChange{{},
                                 "with batch norm",
                                 "without batch norm",
                                 "Batch normalisation after every dense layer re-centres and rescales the "
                                 "signal, so gradients no longer shrink layer by layer."};
         }},
        {"batch-norm-off",
         [](const ExperimentConfig& c) {
             return feedForward(c) &&
                    std::any_of(c.layers.begin(), c.layers.end(), [](const LayerSpec& l) { return l.batchNorm; });
         },
         [](ExperimentConfig& c) {
             for (LayerSpec& l : c.layers) l.batchNorm = false;
         },
         [](const ExperimentConfig&) {
             return ConfigChange{
                 {}, "without batch norm", "with batch norm", "The same network with batch normalisation removed."};
         }},
        {"layer-norm-on",
         [](const ExperimentConfig& c) {
             return feedForward(c) && !allLayers(c, [](const LayerSpec& l) { return l.layerNorm; });
         },
         [](ExperimentConfig& c) {
             for (LayerSpec& l : c.layers) l.layerNorm = true;
         },
         [](const ExperimentConfig&) {
             return ConfigChange{{},
                                 "with layer norm",
                                 "without layer norm",
                                 "Layer normalisation after every dense layer re-centres and rescales each "
                                 "sample's pre-activations over the layer's units (Ba et al. 2016): the signal "
                                 "keeps its scale at any depth, whatever the batch size."};
         }},
        {"layer-norm-off",
         [](const ExperimentConfig& c) {
             return feedForward(c) &&
                    std::any_of(c.layers.begin(), c.layers.end(), [](const LayerSpec& l) { return l.layerNorm; });
         },
         [](ExperimentConfig& c) {
             for (LayerSpec& l : c.layers) l.layerNorm = false;
         },
         [](const ExperimentConfig&) {
             return ConfigChange{
                 {}, "without layer norm", "with layer norm", "The same network with layer normalisation removed."};
         }},
        {"fixup-on", [](const ExperimentConfig& c) { return feedForward(c) && c.residual.every > 0 && !c.residual.fixup; },
         [](ExperimentConfig& c) { c.residual.fixup = true; },
         [](const ExperimentConfig&) {
             return ConfigChange{{},
                                 "with Fixup initialisation",
                                 "without Fixup",
                                 "Fixup (Zhang, Dauphin & Ma 2019) starts each residual branch's last layer at 0 and "
                                 "scales its other layers by B^(-1/(2m-2)): every block starts as the identity, so "
                                 "a deep stack without normalisation neither grows nor shrinks its signal."};
         }},
        {"fixup-off", [](const ExperimentConfig& c) { return feedForward(c) && c.residual.fixup; },
         [](ExperimentConfig& c) { c.residual.fixup = false; },
         [](const ExperimentConfig&) {
             return ConfigChange{
                 {}, "without Fixup", "with Fixup initialisation", "The same stack with its drawn initial weights unscaled."};
         }},
        {"lsuv-on", [](const ExperimentConfig& c) { return feedForward(c) && !c.lsuv && !c.residual.fixup; },
         [](ExperimentConfig& c) { c.lsuv = true; },
         [](const ExperimentConfig&) {
             return ConfigChange{{},
                                 "with LSUV initialisation",
                                 "without LSUV",
                                 "LSUV (Mishkin & Matas 2016) rescales each layer's drawn weights, input side first, "
                                 "until its output has variance 1 on a batch of the data: the forward signal keeps its "
                                 "scale at any depth, whatever the initialiser's gain."};
         }},
        {"lsuv-off", [](const ExperimentConfig& c) { return feedForward(c) && c.lsuv; },
         [](ExperimentConfig& c) { c.lsuv = false; },
         [](const ExperimentConfig&) {
             return ConfigChange{
                 {}, "without LSUV", "with LSUV initialisation", "The same network with its drawn initial weights unscaled."};
         }},
        {"dropout-on",
         [](const ExperimentConfig& c) {
             return feedForward(c) && !allLayers(c, [](const LayerSpec& l) { return l.dropout == kComparedDropout; });
         },
         [](ExperimentConfig& c) {
             for (LayerSpec& l : c.layers) l.dropout = kComparedDropout;
         },
         [](const ExperimentConfig&) {
             return ConfigChange{{},
                                 "with dropout " + number(kComparedDropout),
                                 "without dropout",
                                 "Dropout zeroes each hidden unit of each training sample with probability 0.5 and "
                                 "scales the kept ones by 2 (Srivastava et al. 2014); evaluation uses the whole net. "
                                 "Units cannot rely on each other, which narrows the gap between training and test loss."};
         }},
        {"dropout-off",
         [](const ExperimentConfig& c) {
             return feedForward(c) &&
                    std::any_of(c.layers.begin(), c.layers.end(), [](const LayerSpec& l) { return l.dropout > 0; });
         },
         [](ExperimentConfig& c) {
             for (LayerSpec& l : c.layers) l.dropout = 0.0;
         },
         [](const ExperimentConfig&) {
             return ConfigChange{{}, "without dropout", "with dropout", "The same network with dropout removed."};
         }},
        {"residual-on", [](const ExperimentConfig& c) { return feedForward(c) && c.residual.every == 0; },
         [](ExperimentConfig& c) { c.residual.every = 2; },
         [](const ExperimentConfig&) {
             return ConfigChange{{},
                                 "with residual connections",
                                 "plain stack",
                                 "Identity skips around every two layers give the gradient a path that "
                                 "bypasses the shrinking products."};
         }},
        {"residual-off", [](const ExperimentConfig& c) { return feedForward(c) && c.residual.every > 0; },
         [](ExperimentConfig& c) { c.residual = ResidualSpec{}; },
         [](const ExperimentConfig& c) {
             return ConfigChange{{},
                                 "without residual connections",
                                 "residual every " + std::to_string(c.residual.every),
                                 "The same stack with its identity skips removed."};
         }},
        setBranchScale("residual-rezero", BranchScaleKind::ReZero,
                       "Each residual branch is multiplied by a learnable scalar that starts at 0 (ReZero, Bachlechner "
                       "et al. 2020): every block starts as the identity and the gradient reaches every block unchanged."),
        setBranchScale("residual-inverse-sqrt", BranchScaleKind::InverseSqrtBlocks,
                       "Each residual branch is multiplied by 1/sqrt(number of blocks): the blocks' contributions add up "
                       "to a bounded variance however deep the stack."),
        setBranchScale("residual-unscaled", BranchScaleKind::None, "Each residual block adds its branch unscaled: h + F(h)."),
        {"relu-he",
         [](const ExperimentConfig& c) {
             return feedForward(c) && !allLayers(c, [](const LayerSpec& l) {
                        return l.activation.kind == ActivationKind::Relu && l.init.kind == InitKind::HeNormal &&
                               l.init.gain == 1.0;
                    });
         },
         [](ExperimentConfig& c) {
             for (LayerSpec& l : c.layers) {
                 l.activation.kind = ActivationKind::Relu;
                 l.init.kind = InitKind::HeNormal;
                 l.init.gain = 1.0;
             }
         },
         [](const ExperimentConfig& c) {
             return ConfigChange{{},
                                 "ReLU + He",
                                 stackActivation(c) + " + " + stackInit(c),
                                 "The standard remedy as one switch: ReLU units with He-normal weights "
                                 "(variance 2/fan-in) keep chi_1 = 1 at any depth."};
         }},
        setActivation("activation-relu", ActivationKind::Relu),
        setActivation("activation-tanh", ActivationKind::Tanh),
        setActivation("activation-sigmoid", ActivationKind::Sigmoid),
        setInit("init-he", InitKind::HeNormal),
        setInit("init-xavier", InitKind::XavierNormal),
        setInit("init-orthogonal", InitKind::Orthogonal),
        setCell("cell-lstm", CellKind::Lstm),
        setCell("cell-gru", CellKind::Gru),
        setCell("cell-vanilla", CellKind::Vanilla),
        {"clip-on", [](const ExperimentConfig& c) { return c.training.clip.mode == ClipMode::Off; },
         [](ExperimentConfig& c) {
             c.training.clip.mode = ClipMode::Norm;
             c.training.clip.threshold = 1.0;
         },
         [](const ExperimentConfig&) {
             return ConfigChange{{},
                                 "with gradient clipping",
                                 "no clipping",
                                 "The global gradient norm is clipped to 1 before every update: exploding "
                                 "steps shrink to a safe length, their direction kept."};
         }},
        {"clip-off", [](const ExperimentConfig& c) { return c.training.clip.mode != ClipMode::Off; },
         [](ExperimentConfig& c) { c.training.clip.mode = ClipMode::Off; },
         [](const ExperimentConfig& c) {
             return ConfigChange{{},
                                 "without clipping",
                                 std::string(c.training.clip.mode == ClipMode::Norm ? "norm" : "value") + " clipping at " +
                                     number(c.training.clip.threshold),
                                 "The same run with gradient clipping switched off."};
         }},
        {"learning-rate-down", [](const ExperimentConfig&) { return true; },
         [](ExperimentConfig& c) { c.training.optimizer.learningRate /= 10.0; },
         [](const ExperimentConfig& c) {
             return ConfigChange{{},
                                 "learning rate " + number(c.training.optimizer.learningRate / 10.0),
                                 "learning rate " + number(c.training.optimizer.learningRate),
                                 "A ten times smaller learning rate."};
         }},
        {"learning-rate-up", [](const ExperimentConfig&) { return true; },
         [](ExperimentConfig& c) { c.training.optimizer.learningRate *= 10.0; },
         [](const ExperimentConfig& c) {
             return ConfigChange{{},
                                 "learning rate " + number(c.training.optimizer.learningRate * 10.0),
                                 "learning rate " + number(c.training.optimizer.learningRate),
                                 "A ten times larger learning rate."};
         }},
        {"warmup-on", [](const ExperimentConfig& c) { return c.training.schedule.warmupSteps == 0; },
         [](ExperimentConfig& c) { c.training.schedule.warmupSteps = warmupFor(c); },
         [](const ExperimentConfig& c) {
             return ConfigChange{{},
                                 "warmup over " + std::to_string(warmupFor(c)) + " steps",
                                 "no warmup",
                                 "The learning rate ramps up linearly over the first " + std::to_string(warmupFor(c)) +
                                     " updates: the large early gradients of a fresh network meet a small rate."};
         }},
        {"schedule-cosine", [](const ExperimentConfig& c) { return c.training.schedule.kind != ScheduleKind::Cosine; },
         [](ExperimentConfig& c) {
             c.training.schedule.kind = ScheduleKind::Cosine;
             c.training.schedule.cosineSteps = scheduleHorizon(c);
             c.training.schedule.finalFraction = 0.0;
         },
         [](const ExperimentConfig& c) {
             return ConfigChange{{},
                                 "cosine decay over " + std::to_string(scheduleHorizon(c)) + " steps",
                                 describeSchedule(c.training.schedule),
                                 "The learning rate falls from its full value to 0 along half a cosine: large "
                                 "steps early, fine ones late."};
         }},
        {"schedule-off", [](const ExperimentConfig& c) { return c.training.schedule != ScheduleSpec{}; },
         [](ExperimentConfig& c) { c.training.schedule = ScheduleSpec{}; },
         [](const ExperimentConfig& c) {
             return ConfigChange{{},
                                 "constant learning rate",
                                 describeSchedule(c.training.schedule),
                                 "The same run with a constant learning rate: no warmup, no decay."};
         }},
        {"optimizer-adam", [](const ExperimentConfig& c) { return c.training.optimizer.kind != OptimizerKind::Adam; },
         [](ExperimentConfig& c) {
             c.training.optimizer.kind = OptimizerKind::Adam;
             c.training.optimizer.learningRate = std::min(c.training.optimizer.learningRate, 0.01);
         },
         [](const ExperimentConfig&) {
             return ConfigChange{{},
                                 "Adam",
                                 "plain optimizer",
                                 "Adam divides each update by a running gradient scale, so tiny gradients "
                                 "still move the weights; the gradients themselves stay as small."};
         }},
        {"depth-half", [](const ExperimentConfig& c) { return feedForward(c) && c.layers.size() >= 4; },
         [](ExperimentConfig& c) { c.layers.resize(c.layers.size() / 2); },
         [](const ExperimentConfig& c) {
             return ConfigChange{{},
                                 std::to_string(c.layers.size() / 2) + " layers",
                                 std::to_string(c.layers.size()) + " layers",
                                 "Half as deep: the product of per-layer factors has half as many terms."};
         }},
        {"depth-double", [](const ExperimentConfig& c) { return feedForward(c) && !c.layers.empty(); },
         [](ExperimentConfig& c) {
             const std::size_t n = c.layers.size();
             for (std::size_t i = 0; i < n; ++i) c.layers.push_back(c.layers[i]);
         },
         [](const ExperimentConfig& c) {
             return ConfigChange{{},
                                 std::to_string(c.layers.size() * 2) + " layers",
                                 std::to_string(c.layers.size()) + " layers",
                                 "Twice as deep: whatever shrinks or grows per layer does so twice as often."};
         }},
    };
    return table;
}

const ChangeRule* findRule(std::string_view id) {
    for (const ChangeRule& rule : rules())
        if (rule.id == id) return &rule;
    return nullptr;
}

std::optional<ExperimentConfig> tryApply(const ChangeRule& rule, const ExperimentConfig& config) {
    if (!rule.applies(config)) return std::nullopt;
    ExperimentConfig changed = config;
    rule.apply(changed);
    if (changed == config || !validateExperiment(changed).empty()) return std::nullopt;
    return changed;
}

ConfigChange describeRule(const ChangeRule& rule, const ExperimentConfig& config) {
    ConfigChange change = rule.describe(config);
    change.id = std::string(rule.id);
    return change;
}

}  // namespace

std::vector<ConfigChange> changesFor(const ExperimentConfig& config) {
    std::vector<ConfigChange> out;
    for (const ChangeRule& rule : rules())
        if (tryApply(rule, config)) out.push_back(describeRule(rule, config));
    return out;
}

std::optional<ConfigChange> oneClickChange(const ExperimentConfig& config) {
    const std::vector<ConfigChange> changes = changesFor(config);
    if (changes.empty()) return std::nullopt;
    // A branch scale is the remedy of a residual net that has one: unscaling it, not
    // dropping the skips, shows what it does.
    for (const ConfigChange& change : changes)
        if (change.id == "residual-unscaled") return change;
    for (const ConfigChange& change : changes)
        if (change.id.size() > 4 && change.id.compare(change.id.size() - 4, 4, "-off") == 0) return change;
    return changes.front();
}

std::optional<ExperimentConfig> applyChange(const ExperimentConfig& config, std::string_view id) {
    const ChangeRule* rule = findRule(id);
    return rule ? tryApply(*rule, config) : std::nullopt;
}

std::optional<ConfigChange> describeChange(const ExperimentConfig& config, std::string_view id) {
    const ChangeRule* rule = findRule(id);
    if (!rule || !tryApply(*rule, config)) return std::nullopt;
    return describeRule(*rule, config);
}

std::vector<std::string> allChangeIds() { return {std::begin(kChangeIds), std::end(kChangeIds)}; }

}  // namespace gradflow::core
