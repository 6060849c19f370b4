#include "ui/layer_stack_model.h"

#include <QDataStream>
#include <QFont>
#include <QIODevice>
#include <QMimeData>
#include <algorithm>

#include "core/model/activation.h"
#include "core/model/initializer.h"
#include "ui/experiment_document.h"

namespace gradflow::ui {

namespace {

const QString kRowsMime = QStringLiteral("application/x-gradflow-layer-rows");

QString text(std::string_view view) { return QString::fromUtf8(view.data(), qsizetype(view.size())); }

/// "He / Kaiming normal" as "He normal": the table's column is narrow beside a comparison
/// at 1366x768; the tooltip and the combo keep the full name.
QString shortInitLabel(std::string_view label) {
    const QString full = text(label);
    const qsizetype slash = full.indexOf(QStringLiteral(" / "));
    if (slash < 0) return full;
    return full.left(slash) + full.mid(full.lastIndexOf(QLatin1Char(' ')));
}

/// The most frequent value of `key(layer)`, first occurrence winning ties.
template <typename T, typename Key>
T mostCommon(const std::vector<core::LayerSpec>& layers, Key key, T fallback) {
    if (layers.empty()) return fallback;
    std::vector<std::pair<T, int>> counts;
    for (const auto& layer : layers) {
        const T value = key(layer);
        auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == value; });
        if (it == counts.end()) counts.emplace_back(value, 1);
        else ++it->second;
    }
    return std::max_element(counts.begin(), counts.end(), [](const auto& a, const auto& b) { return a.second < b.second; })
        ->first;
}

/// The validator's field names ("model.layers[3].gain") for a column's values.
QStringList fieldSuffixes(int column) {
    switch (column) {
    case LayerStackModel::WidthColumn: return {QStringLiteral(".width")};
    case LayerStackModel::ActivationColumn: return {QStringLiteral(".activation"), QStringLiteral(".slope")};
    case LayerStackModel::InitColumn:
        return {QStringLiteral(".init"), QStringLiteral(".std"), QStringLiteral(".limit"), QStringLiteral(".value")};
    case LayerStackModel::GainColumn: return {QStringLiteral(".gain")};
    case LayerStackModel::DropoutColumn: return {QStringLiteral(".dropout")};
    default: return {};
    }
}

}  // namespace

core::ActivationSpec defaultActivation(const core::ExperimentConfig& config) {
    return mostCommon(
        config.layers, [](const core::LayerSpec& l) { return l.activation; }, core::ActivationSpec{});
}

core::InitSpec defaultInit(const core::ExperimentConfig& config) {
    return mostCommon(
        config.layers, [](const core::LayerSpec& l) { return l.init; }, core::InitSpec{});
}

int residualBlockOf(const core::ExperimentConfig& config, int row) {
    // Skips start at hidden layer 2 (row 1): layer 1 projects the input to the width.
    const int every = config.residual.every;
    if (every <= 0 || row < 1) return -1;
    return (row - 1) / every;
}

LayerStackModel::LayerStackModel(ExperimentDocument* document, QObject* parent)
    : QAbstractTableModel(parent), m_document(document), m_rows(int(document->config().layers.size())) {
    connect(document, &ExperimentDocument::configChanged, this, &LayerStackModel::onConfigChanged);
}

void LayerStackModel::onConfigChanged() {
    const int rows = int(m_document->config().layers.size());
    if (rows != m_rows) {
        beginResetModel();
        m_rows = rows;
        endResetModel();
    } else if (rows > 0) {
        // Same shape: keep selection and any open editor.
        emit dataChanged(index(0, 0), index(rows - 1, ColumnCount - 1));
    }
}

int LayerStackModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : m_rows; }

int LayerStackModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString LayerStackModel::issueFor(int row, int column) const {
    const QStringList suffixes = fieldSuffixes(column);
    if (suffixes.isEmpty()) return {};
    const QString layer = QStringLiteral("model.layers[%1]").arg(row);
    QStringList messages;
    for (const auto& issue : m_document->issues()) {
        const QString field = QString::fromStdString(issue.field);
        if (!field.startsWith(layer)) continue;
        const QString rest = field.mid(layer.size());
        if (std::any_of(suffixes.begin(), suffixes.end(), [&](const QString& s) { return rest.startsWith(s); }))
            messages << QString::fromStdString(issue.text());
    }
    return messages.join(QLatin1Char('\n'));
}

QVariant LayerStackModel::data(const QModelIndex& index, int role) const {
    const auto& config = m_document->config();
    if (!index.isValid() || index.row() >= int(config.layers.size())) return {};
    const int row = index.row();
    const core::LayerSpec& layer = config.layers[row];
    const int column = index.column();
    const int block = residualBlockOf(config, row);

    if (role == Qt::BackgroundRole) {
        if (!issueFor(row, column).isEmpty()) return QColor(0xEE, 0x66, 0x77, 90);  // Tol red, translucent
        if (block >= 0 && m_bandEven.isValid()) return block % 2 ? m_bandOdd : m_bandEven;
        return {};
    }
    if (role == Qt::FontRole) {
        // Per-layer overrides of the stack's default stand out.
        const bool overridden = (column == ActivationColumn && !(layer.activation == defaultActivation(config))) ||
                                ((column == InitColumn || column == GainColumn) && !(layer.init == defaultInit(config)));
        if (!overridden) return {};
        QFont font;
        font.setBold(true);
        return font;
    }
    switch (column) {
    case BlockColumn:
        if (role == Qt::DisplayRole) {
            if (block < 0) return QString::number(row + 1);
            const int every = config.residual.every;
            const int first = 1 + block * every;
            const int last = std::min(first + every - 1, int(config.layers.size()) - 1);
            const QChar bracket = first == last  ? QChar(0x2576)
                                  : row == first ? QChar(0x250C)
                                  : row == last  ? QChar(0x2514)
                                                 : QChar(0x2502);
            return QStringLiteral("%1 %2").arg(bracket).arg(row + 1);
        }
        if (role == Qt::ToolTipRole) {
            QString tip = tr("Hidden layer %1. Drag to reorder.").arg(row + 1);
            if (block >= 0)
                tip += tr("\nResidual block %1: an identity skip adds this block's input to its output.").arg(block + 1);
            return tip;
        }
        if (role == Qt::TextAlignmentRole) return int(Qt::AlignLeft | Qt::AlignVCenter);
        return {};
    case WidthColumn:
        if (role == Qt::DisplayRole || role == Qt::EditRole) return layer.width;
        if (role == Qt::ToolTipRole) {
            const QString issue = issueFor(row, column);
            return issue.isEmpty() ? tr("Units in hidden layer %1 (1 to 4096)").arg(row + 1) : issue;
        }
        return {};
    case ActivationColumn: {
        const auto& info = core::activationInfo(layer.activation.kind);
        if (role == Qt::DisplayRole) return text(info.label);
        if (role == Qt::EditRole || role == KindRole) return int(layer.activation.kind);
        if (role == Qt::ToolTipRole) {
            const QString issue = issueFor(row, column);
            return issue.isEmpty() ? tr("%1: %2").arg(text(info.label), text(info.formula)) : issue;
        }
        return {};
    }
    case InitColumn: {
        const auto& info = core::initializerInfo(layer.init.kind);
        if (role == Qt::DisplayRole) return shortInitLabel(info.label);
        if (role == Qt::EditRole || role == KindRole) return int(layer.init.kind);
        if (role == Qt::ToolTipRole) {
            const QString issue = issueFor(row, column);
            return issue.isEmpty() ? tr("%1: %2").arg(text(info.label), text(info.formula)) : issue;
        }
        return {};
    }
    case GainColumn:
        if (role == Qt::DisplayRole) return QString::number(layer.init.gain, 'g', 4);
        if (role == Qt::EditRole) return layer.init.gain;
        if (role == Qt::ToolTipRole) {
            const QString issue = issueFor(row, column);
            return issue.isEmpty() ? tr("Initialisation gain: scales the initial weights (0 to 100)") : issue;
        }
        return {};
    case BatchNormColumn:
        if (role == Qt::CheckStateRole) return layer.batchNorm ? Qt::Checked : Qt::Unchecked;
        if (role == Qt::ToolTipRole)
            return tr(
                "Batch normalisation before the activation (Ioffe & Szegedy 2015): "
                "y = gamma (x - mean) / sqrt(var + eps) + beta");
        return {};
    case LayerNormColumn:
        if (role == Qt::CheckStateRole) return layer.layerNorm ? Qt::Checked : Qt::Unchecked;
        if (role == Qt::ToolTipRole)
            return tr(
                "Layer normalisation before the activation (Ba et al. 2016): each sample's pre-activations "
                "normalised over this layer's n units, y_i = gamma_i (x_i - mean) / sqrt(var + eps) + beta_i, "
                "the same in training and evaluation. Replaces batch norm on this layer");
        return {};
    case DropoutColumn:
        // Blank when off, so the few layers with dropout stand out.
        if (role == Qt::DisplayRole) return layer.dropout > 0 ? QString::number(layer.dropout, 'g', 3) : QString();
        if (role == Qt::EditRole) return layer.dropout;
        if (role == Qt::ToolTipRole) {
            const QString issue = issueFor(row, column);
            return issue.isEmpty() ? tr("Dropout rate p of layer %1 (Srivastava et al. 2014), 0 ≤ p < 1: in training "
                                        "h = m ⊙ φ(y) / (1 − p), each m a Bernoulli(1 − p) draw per "
                                        "unit and sample; in evaluation h = φ(y). p drops (the paper's p keeps). Blank = off")
                                         .arg(row + 1)
                                   : issue;
        }
        return {};
    default: return {};
    }
}

QVariant LayerStackModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    static const char* const titles[] = {QT_TR_NOOP("Layer"), QT_TR_NOOP("Width"), QT_TR_NOOP("Activation"), QT_TR_NOOP("Init"),
                                         QT_TR_NOOP("Gain"),  QT_TR_NOOP("BN"),    QT_TR_NOOP("LN"),         QT_TR_NOOP("p")};
    static const char* const tips[] = {QT_TR_NOOP("Hidden layer number, input side first; brackets mark residual blocks"),
                                       QT_TR_NOOP("Number of units"),
                                       QT_TR_NOOP("Nonlinearity applied after the dense layer"),
                                       QT_TR_NOOP("How the weights are drawn at Reset"),
                                       QT_TR_NOOP("Multiplier on the initial weights"),
                                       QT_TR_NOOP("Batch normalisation (Ioffe & Szegedy 2015)"),
                                       QT_TR_NOOP("Layer normalisation (Ba et al. 2016)"),
                                       QT_TR_NOOP("Dropout: the probability p that training zeroes a unit (Srivastava et al. "
                                                  "2014, whose p keeps it); blank = off")};
    if (section < 0 || section >= ColumnCount) return {};
    if (role == Qt::DisplayRole) return tr(titles[section]);
    if (role == Qt::ToolTipRole) return tr(tips[section]);
    return {};
}

bool LayerStackModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!index.isValid()) return false;
    core::ExperimentConfig config = m_document->config();
    if (index.row() >= int(config.layers.size())) return false;
    core::LayerSpec& layer = config.layers[index.row()];
    QString what;
    switch (index.column()) {
    case WidthColumn:
        if (role != Qt::EditRole) return false;
        layer.width = value.toInt();
        what = tr("width");
        break;
    case ActivationColumn:
        if (role != Qt::EditRole) return false;
        layer.activation.kind = core::ActivationKind(value.toInt());
        what = tr("activation");
        break;
    case InitColumn:
        if (role != Qt::EditRole) return false;
        layer.init.kind = core::InitKind(value.toInt());
        what = tr("initializer");
        break;
    case GainColumn:
        if (role != Qt::EditRole) return false;
        layer.init.gain = value.toDouble();
        what = tr("gain");
        break;
    case BatchNormColumn:
        if (role != Qt::CheckStateRole) return false;
        layer.batchNorm = value.toInt() == Qt::Checked;
        if (layer.batchNorm) layer.layerNorm = false;  // one normalisation per layer
        what = tr("batch norm");
        break;
    case LayerNormColumn:
        if (role != Qt::CheckStateRole) return false;
        layer.layerNorm = value.toInt() == Qt::Checked;
        if (layer.layerNorm) layer.batchNorm = false;
        what = tr("layer norm");
        break;
    case DropoutColumn:
        if (role != Qt::EditRole) return false;
        layer.dropout = value.toDouble();
        what = tr("dropout");
        break;
    default: return false;
    }
    m_document->setConfig(config, tr("Change %1 of layer %2").arg(what).arg(index.row() + 1));
    return true;
}

Qt::ItemFlags LayerStackModel::flags(const QModelIndex& index) const {
    if (!index.isValid()) return Qt::ItemIsDropEnabled;  // drops between rows
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled;
    if (index.column() == BatchNormColumn || index.column() == LayerNormColumn) flags |= Qt::ItemIsUserCheckable;
    else if (index.column() != BlockColumn) flags |= Qt::ItemIsEditable;
    return flags;
}

QStringList LayerStackModel::mimeTypes() const { return {kRowsMime}; }

QMimeData* LayerStackModel::mimeData(const QModelIndexList& indexes) const {
    QList<int> rows;
    for (const QModelIndex& index : indexes)
        if (!rows.contains(index.row())) rows << index.row();
    QByteArray bytes;
    QDataStream stream(&bytes, QIODevice::WriteOnly);
    stream << rows;
    auto* mime = new QMimeData;
    mime->setData(kRowsMime, bytes);
    return mime;
}

bool LayerStackModel::dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int, const QModelIndex& parent) {
    if (action != Qt::MoveAction || !data->hasFormat(kRowsMime)) return false;
    QList<int> rows;
    QDataStream stream(data->data(kRowsMime));
    stream >> rows;
    const int destination = row >= 0 ? row : parent.isValid() ? parent.row() : m_rows;
    moveLayers(rows, destination);
    // false: the move is done; the view must not also remove the "source" rows.
    return false;
}

void LayerStackModel::moveLayers(QList<int> rows, int destination) {
    core::ExperimentConfig config = m_document->config();
    const int count = int(config.layers.size());
    std::sort(rows.begin(), rows.end());
    rows.erase(std::remove_if(rows.begin(), rows.end(), [&](int r) { return r < 0 || r >= count; }), rows.end());
    if (rows.isEmpty()) return;
    std::vector<core::LayerSpec> moved, rest;
    int insertAt = std::clamp(destination, 0, count);
    for (int r = 0; r < count; ++r) {
        if (rows.contains(r)) {
            moved.push_back(config.layers[r]);
            if (r < destination) --insertAt;
        } else {
            rest.push_back(config.layers[r]);
        }
    }
    insertAt = std::clamp(insertAt, 0, int(rest.size()));
    rest.insert(rest.begin() + insertAt, moved.begin(), moved.end());
    config.layers = std::move(rest);
    m_document->setConfig(config, rows.size() == 1 ? tr("Move layer %1").arg(rows.front() + 1) : tr("Move layers"));
}

void LayerStackModel::setBandColors(const QColor& even, const QColor& odd) {
    m_bandEven = even;
    m_bandOdd = odd;
    if (m_rows > 0) emit dataChanged(index(0, 0), index(m_rows - 1, ColumnCount - 1), {Qt::BackgroundRole});
}

}  // namespace gradflow::ui
