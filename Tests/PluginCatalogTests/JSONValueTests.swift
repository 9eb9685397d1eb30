import Foundation
import Testing
@testable import PluginCatalog

@Suite("JSONValue", .timeLimit(.minutes(10)))
struct JSONValueTests {
    @Test func integersRoundTripAsIntegers() throws {
        let text = #"{"a":1,"b":-3,"c":1.5,"d":true,"e":null,"f":["x",0],"g":{"h":false}}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(value["a"] == .number(1))
        #expect(value["d"] == .bool(true))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let again = String(decoding: try encoder.encode(value), as: UTF8.self)
        #expect(again == text)
    }

    @Test func boolsStayBools() throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data("[true, 1, 0, false]".utf8))
        #expect(value == .array([.bool(true), .number(1), .number(0), .bool(false)]))
    }
}
