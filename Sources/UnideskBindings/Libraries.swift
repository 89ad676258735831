import UnideskCore

/// Every primitive family the `unidesk` binary hosts. A new family adds its library here.
public enum Libraries {
    public static let all: [HostLibrary] = [
        FSBinding.library,
        JSONBinding.library,
        YAMLBinding.library,
        TimeBinding.library,
        RegistryBinding.library,
        HTTPBinding.library,
        PostgresBinding.library,
        MigrateLibrary.library,
        ComposeBinding.library,
        SnapshotBinding.library,
        KubeBinding.library,
        StateBinding.library,
        SemverLibrary.library,
        PipelineLibrary.pipeline,
        AlertLibrary.library,
        MetricsLibrary.library,
        PipelineLibrary.test,
    ]
}
