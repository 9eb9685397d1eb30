/// Every route the API serves, each declared once. Routing, `405` with `Allow`, the metrics label
/// and the request log's route come from here; `RouteTableTests` holds it to the OpenAPI document
/// and to the counter file's label lists (`MetricsSchema.routes`, `MetricsSchema.operations`).
enum RouteTable {
    static let endpoints: [Endpoint] = [
        // Catalog and service (CatalogHandlers.swift).
        .public("GET", "/api/plugins/available") { try $0.available($1) },
        .public("GET", "/api/plugins/health") { try $0.health($1) },
        .public("GET", "/api/plugins/{slug}/info") { try $0.info($1) },
        .public("GET", "/api/plugins/{slug}/versions") { try $0.versions($1) },
        .public("GET", "/api/plugins/openapi.json") { $0.openAPI($1) },
        // The caller's plugins (InstallHandlers.swift).
        .user("GET", "/api/plugins/installed") { try $0.installed($1) },
        .user("GET", "/api/plugins/updates") { try $0.updates($1) },
        .user("POST", "/api/plugins/{slug}/install", operation: "install") { try $0.install($1) },
        .user("DELETE", "/api/plugins/{slug}/uninstall", operation: "uninstall") { try $0.uninstall($1) },
        .user("GET", "/api/plugins/{slug}/status") { try $0.status($1) },
        .user("POST", "/api/plugins/{slug}/repair", operation: "repair") { try $0.repair($1) },
        .user("PUT", "/api/plugins/{slug}/update", operation: "update") { try $0.update($1) },
        .user("POST", "/api/plugins/{slug}/enable", operation: "enable") { try $0.setEnabled(true, $1) },
        .user("POST", "/api/plugins/{slug}/disable", operation: "disable") { try $0.setEnabled(false, $1) },
        .user("POST", "/api/plugins/{slug}/modules/{module}/enable", operation: "module_enable") {
            try $0.setModuleEnabled(true, $1)
        },
        .user("POST", "/api/plugins/{slug}/modules/{module}/disable", operation: "module_disable") {
            try $0.setModuleEnabled(false, $1)
        },
        // Files of the caller's copy, sent by nginx (FileHandlers.swift).
        .user("GET", "/api/plugins/{slug}/files/{path}") { try $0.file($1) },
        // The same through a signed URL, for <script> tags (BundleHandlers.swift).
        .signed("GET", "/api/plugins/{slug}/bundles/{grant}/{path}") { try $0.bundleFile($1) },
        // Sharing and the audit trail (SharingHandlers.swift).
        .user("GET", "/api/plugins/audit") { try $0.audit($1) },
        .user("POST", "/api/plugins/{slug}/share", operation: "share") { try $0.share($1) },
        .user("GET", "/api/plugins/shared") { try $0.shared($1) },
        .user("POST", "/api/plugins/shared/{share_id}/accept", operation: "accept_share") { try $0.acceptShare($1) },
        .user("DELETE", "/api/plugins/shared/{share_id}", operation: "settle_share") { try $0.settleShare($1) },
        // Administration (AdminHandlers.swift).
        .admin("POST", "/api/plugins/{slug}/bulk-install", operation: "bulk_install") { try $0.bulkInstall($1) },
        .admin("POST", "/api/plugins/{slug}/bulk-uninstall", operation: "bulk_uninstall") { try $0.bulkUninstall($1) },
        .admin("DELETE", "/api/plugins/users/{user_id}", operation: "purge_user") { try $0.purgeUser($1) },
        // Operator routes: not in the contract; nginx lets only loopback reach them (OperatorHandlers.swift).
        .public("GET", "/api/plugins/metrics", documented: false) { try $0.metrics($1) },
        .public("GET", "/api/plugins/metrics/pool", documented: false) { try $0.poolStatus($1) },
    ]

    static let matcher = RouteMatcher(routes: endpoints.map { ($0.method, $0.template) })
}
