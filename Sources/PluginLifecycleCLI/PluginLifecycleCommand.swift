import ArgumentParser

@main
struct PluginLifecycleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin-lifecycle",
        abstract: "User-scoped plugin lifecycle service: FastCGI worker pool, CLI and debug commands.",
        subcommands: [
            InitCommand.self, ServeCommand.self, WorkerCommand.self, TokenCommand.self,
            InstallCommand.self, UninstallCommand.self, StatusCommand.self, RepairCommand.self, UpdateCommand.self,
            AvailableCommand.self, InfoCommand.self, BulkInstallCommand.self, BulkUninstallCommand.self, PurgeUserCommand.self, PublishCommand.self, MigrateLegacyCommand.self,
            DoctorCommand.self, BackupCommand.self, RestoreCommand.self, MigrateStoreCommand.self,
        ])
}
