import Foundation
import Testing
@testable import TokenAuth

/// The hand-written base64url coder (tokens, bundle grants) agrees with Foundation's.
@Suite(.timeLimit(.minutes(10))) struct CompactTokenTests {
    static func base64URL(_ bytes: [UInt8]) -> [UInt8] {
        Array(Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "").utf8)
    }

    @Test func codesAsFoundationDoes() {
        var generator = SystemRandomNumberGenerator()
        // Every length 0...64 covers each remainder mod 3 (unpadded lengths 0, 2 and 3 mod 4).
        for length in 0...64 {
            for _ in 0..<8 {
                let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
                let decoded = Base64URL.decode(Self.base64URL(bytes)[...])
                #expect(decoded == bytes, "length \(length)")
                #expect(Array(Base64URL.encode(bytes).utf8) == Self.base64URL(bytes), "length \(length)")
            }
        }
    }

    @Test func refusesWhatIsNotUnpaddedBase64URL() {
        for text in ["a", "abcde", "ab=", "ab+c", "ab/c", "ab c", "é"] {
            #expect(Base64URL.decode(Array(text.utf8)[...]) == nil, "\(text)")
        }
    }

    @Test func findsDuplicateNamesInEncodedSegments() {
        let cases: [(String, Bool)] = [
            (#"{"sub":"a","exp":1}"#, false),
            (#"{"sub":"a","sub":"b"}"#, true),
            (#"{"s\u0075b":"a","sub":"b"}"#, true),
            (#"{ "a" : {"a":1,"a":2} , "b":[1,"a"] }"#, false),
            (#"{"a":1,"b":2,"a":3}"#, true),
        ]
        for (json, duplicate) in cases {
            #expect(CompactToken.hasDuplicateMembers(segment: Self.base64URL(Array(json.utf8))[...]) == duplicate, "\(json)")
        }
    }
}
