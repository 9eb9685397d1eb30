import Testing

/// A problem answer as the contract has it: the status, `application/problem+json` and the code.
/// All three, whatever the body: an HTML error page with the right status does not pass.
func expectProblem(_ response: HTTPResult, _ status: Int, _ code: String, _ what: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.status == status && response.header("Content-Type") == "application/problem+json" && response.code == code,
            "\(what): want \(status) \(code), got \(response.status) \(response.header("Content-Type") ?? "-") \(response.text.prefix(200))",
            sourceLocation: sourceLocation)
}
