import LuaRuntime
import UnideskCore

/// `require "unidesk.metrics"`: gauges and counters of the recipe's own, pushed with the
/// run's metrics to the operator's Pushgateway at the end of the run (nothing is sent
/// during the run, so these are pure: no gate, no audit).
public enum MetricsLibrary {
    static let labels = Param("labels", .map(.string), optional: true, "label names [a-zA-Z_][a-zA-Z0-9_]* (not recipe, app, job or instance), values strings")
    static let gauge = PrimitiveSpec(
        module: "metrics", name: "gauge",
        summary: "Sets a gauge of the run: the value a series has when the run ends is pushed (`--metrics-push`, policy file `metrics`). Names follow Prometheus' rules; `unidesk_` is the run's own prefix and refused.",
        params: [Param("name", .string, "e.g. shop_orders_migrated"), Param("value", .number, ""), labels,
                 Param("help", .string, optional: true, "the HELP line")],
        errors: ["raises bad argument for a name or label that Prometheus refuses, or a name already used as a counter"],
        example: #"metrics.gauge("shop_schema_version", 42, { db = "orders" }, "schema version after the migrations")"#)
    static let counter = PrimitiveSpec(
        module: "metrics", name: "counter",
        summary: "Adds to a counter of the run (default 1; never negative): the total of the run is pushed.",
        params: [Param("name", .string, "e.g. shop_rows_copied_total"), Param("increment", .number, optional: true, "default 1"), labels,
                 Param("help", .string, optional: true, "the HELP line")],
        errors: ["raises bad argument for a negative increment, a bad name or label, or a name already used as a gauge"],
        example: #"metrics.counter("shop_rows_copied_total", 250, { table = "orders" })"#)
    static let group = PrimitiveSpec(
        module: "metrics", name: "group",
        summary: "Adds grouping labels to the push (the Pushgateway keeps one group per job, recipe and these labels; a push replaces its group). `app` is the usual one; without it the group has `app` = --var app when given.",
        params: [Param("labels", .map(.string), "e.g. { app = \"shop\" }")],
        example: #"metrics.group{ app = "shop" }"#)

    static let reservedLabels: Set<String> = ["job", "instance", "recipe", "mode"]

    public static let library = HostLibrary(
        name: "metrics", summary: "The recipe's gauges and counters, pushed with the run's metrics (duration, exit code, steps, effects) to a Prometheus Pushgateway at the end of the run.",
        specs: [gauge, counter, group]
    ) { ctx in
        func labelList(_ v: LuaValue, argument: Int, reserved: Set<String>) throws -> [RecipeMetric.Label] {
            var out: [RecipeMetric.Label] = []
            for (k, value) in v.tableValue?.fields ?? [] {
                guard MetricName.isLabelName(k) else { throw HostError.argument(argument, "label '\(k)' is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)") }
                guard !reserved.contains(k) else { throw HostError.argument(argument, "label '\(k)' is the push's own (\(reserved.sorted().joined(separator: ", ")))") }
                out.append(RecipeMetric.Label(k, value.stringValue ?? ""))
            }
            return out.sorted { $0.name < $1.name }
        }
        func number(_ v: LuaValue) -> Double? {
            switch v { case .int(let i): return Double(i); case .number(let d): return d; default: return nil }
        }
        func record(_ kind: RecipeMetric.Kind, _ args: [LuaValue], value: Double) throws -> [LuaValue] {
            let name = args.value(0).stringValue ?? ""
            guard MetricName.isMetricName(name) else { throw HostError.argument(1, "'\(name)' is not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)") }
            guard !name.hasPrefix("unidesk_") else { throw HostError.argument(1, "'\(name)': the unidesk_ prefix is the run's own metrics'; name yours after the app (shop_…)") }
            guard value.isFinite else { throw HostError.argument(2, "a finite number expected") }
            let labels = try labelList(args.value(2), argument: 3, reserved: reservedLabels)
            do {
                try ctx.metrics.record(RecipeMetric(name: name, kind: kind, help: args.value(3).stringValue ?? "", labels: labels, value: value))
            } catch {
                switch error {
                case .otherKind(let n, let k): throw HostError.argument(1, "'\(n)' is already a \(k.rawValue) in this run")
                case .tooMany: throw HostError.message("unidesk.metrics: more than \(RecipeMetrics.maxSeries) series in one run")
                }
            }
            return []
        }
        return [
            ctx.function(gauge) { args in try record(.gauge, args, value: number(args.value(1)) ?? 0) },
            ctx.function(counter) { args in
                let inc = args.value(1).isNil ? 1 : number(args.value(1)) ?? 0
                guard inc >= 0 else { throw HostError.argument(2, "a counter only goes up: the increment must not be negative") }
                return try record(.counter, args, value: inc)
            },
            ctx.function(group) { args in
                ctx.metrics.setGroup(try labelList(args.value(0), argument: 1, reserved: ["job", "instance", "recipe", "mode"]))
                return []
            },
        ]
    }
}
