import Foundation
@testable import PluginAPI
import Testing

/// The request path's percent decoding, written on bytes, decodes as Foundation's
/// `removingPercentEncoding` does (same text, same refusals); query parts also take `+` as a space.
@Suite(.timeLimit(.minutes(10))) struct QueryDecodingTests {
    static let inputs = ["", "plain", "a%20b", "%41%42", "%e2%82%ac", "%E2%82%AC", "%", "%4", "%zz", "a%2Fb", "%00",
                         "%ff", "%c3", "%c3%a9", "é", "100%25", "a+b", "%2B", "x%", "%%41"]

    @Test func pathDecodingMatchesFoundation() {
        for input in Self.inputs {
            #expect(percentDecode(input) == input.removingPercentEncoding, "\(input)")
        }
    }

    @Test func queryPartsTakePlusAsSpace() {
        for input in Self.inputs {
            let expected = input.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            #expect(formDecoded(Substring(input)) == expected, "\(input)")
        }
        #expect(HTTPRequest.parseQuery("verify=full&h=0123456789abcdef&a+b=c%20d&verify=x&bad=%zz")
            == ["verify": "full", "h": "0123456789abcdef", "a b": "c d", "bad": ""])
    }
}
