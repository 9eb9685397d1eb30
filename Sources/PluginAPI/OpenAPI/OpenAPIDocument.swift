/// The contract as an OpenAPI 3.1 document, served at `GET /api/plugins/openapi.json`.
///
/// The document is the data file `openapi.json` next to this one (edited as JSON, validated as a
/// file by `deploy/checks/openapi-check`). SwiftPM's `.embedInCode` resource rule compiles its bytes into
/// the binary (`PackageResources`): no resource bundle to ship beside the executable, so the binary
/// that `deploy/production/install` copies alone serves the document, byte for byte.
enum OpenAPIDocument {
    static var bytes: [UInt8] { PackageResources.openapi_json }
}
