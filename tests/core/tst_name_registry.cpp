// Every kind has one registry, and names go both ways through the same look-up: each
// entry's name reads back as its kind, unknown names change nothing, and "allowed values"
// lists are spelled from the registry in its order.

#include <QtTest>

#include <set>
#include <string>

#include "core/config/experiment_names.h"
#include "core/data/dataset.h"
#include "core/model/activation.h"
#include "core/model/initializer.h"

using namespace gradflow::core;

namespace {

template <typename Registry>
bool namesRoundTrip(const Registry& registry, std::string& problem) {
    std::set<std::string_view> seen;
    for (const auto& entry : registry) {
        auto kind = entry.kind;
        if (!seen.insert(entry.name).second) problem = "duplicate name " + std::string(entry.name);
        if (enumName(registry, entry.kind) != entry.name) problem = "enumName of " + std::string(entry.name);
        if (!enumFromName(registry, entry.name, kind) || kind != entry.kind)
            problem = "enumFromName of " + std::string(entry.name);
        if (findEntry(registry, entry.kind) != &entry) problem = "findEntry of " + std::string(entry.name);
    }
    auto untouched = std::ranges::begin(registry)->kind;
    if (enumFromName(registry, "no-such-name", untouched) || untouched != std::ranges::begin(registry)->kind)
        problem = "unknown name accepted";
    return problem.empty();
}

}  // namespace

class TestNameRegistry : public QObject {
    Q_OBJECT

private slots:
    void everyRegistryRoundTrips();
    void modelRegistriesUseTheSameLookUp();
    void allowedValuesListTheRegistry();
};

void TestNameRegistry::everyRegistryRoundTrips() {
    std::string problem;
    QVERIFY2(namesRoundTrip(activationRegistry(), problem), problem.c_str());
    QVERIFY2(namesRoundTrip(initializerRegistry(), problem), problem.c_str());
    QVERIFY2(namesRoundTrip(dataKindRegistry(), problem), problem.c_str());
    QVERIFY2(namesRoundTrip(kOptimizerRegistry, problem), problem.c_str());
    QVERIFY2(namesRoundTrip(kCellNames, problem), problem.c_str());
    QVERIFY2(namesRoundTrip(kPrecisionNames, problem), problem.c_str());
    QVERIFY2(namesRoundTrip(kModelKindNames, problem), problem.c_str());
    QVERIFY2(namesRoundTrip(kLossNames, problem), problem.c_str());
    QVERIFY2(namesRoundTrip(kClipModeNames, problem), problem.c_str());
    QVERIFY2(namesRoundTrip(kUnitStatisticNames, problem), problem.c_str());
}

void TestNameRegistry::modelRegistriesUseTheSameLookUp() {
    for (const auto& info : activationRegistry()) {
        ActivationKind kind{};
        QVERIFY(activationFromName(info.name, kind) && kind == info.kind);
        QCOMPARE(activationInfo(info.kind).name, info.name);
    }
    for (const auto& info : initializerRegistry()) {
        InitKind kind{};
        QVERIFY(initializerFromName(info.name, kind) && kind == info.kind);
    }
    for (const auto& info : dataKindRegistry()) {
        DataKind kind{};
        QVERIFY(dataKindFromName(info.name, kind) && kind == info.kind);
    }
    // Every optimizer the engine knows has a label and an update rule for the GUI.
    QCOMPARE(std::size(kOptimizerRegistry), std::size_t(4));
    for (const OptimizerInfo& info : kOptimizerRegistry) QVERIFY(!info.label.empty() && !info.formula.empty());
}

void TestNameRegistry::allowedValuesListTheRegistry() {
    QCOMPARE(enumNameList(kClipModeNames), std::string("off, norm or value"));
    QCOMPARE(enumNameList(kOptimizerRegistry), std::string("sgd, momentum, rmsprop or adam"));
    QCOMPARE(enumNameList(kCellNames), std::string("vanilla, lstm or gru"));
    QCOMPARE(enumNameList(kLossNames), std::string("cross_entropy or mse"));
}

QTEST_APPLESS_MAIN(TestNameRegistry)
#include "tst_name_registry.moc"
