import Foundation
import LifecycleStore

/// Who holds a lease: a host and a process on it (`pid:starttime`, ``ProcessIdentity``).
/// A pid means something only on its own host, so an owner is found dead at once only there;
/// another host's lease dies by its deadline alone (no `kill(pid, 0)` on another machine's pid).
package struct LeaseOwner: Sendable, Equatable {
    package var host: String
    package var process: String

    /// Whether `lease` may still commit, judged from `host`: not past its deadline, and, when it
    /// is this host's (or from before hosts had ids, all of which were this machine's), its process alive.
    static func isLive(_ lease: OperationLease, judgedOn host: String, now: Double) -> Bool {
        guard lease.expiresAt > now else { return false }
        guard lease.ownerHost == host || lease.ownerHost.isEmpty else { return true }
        return ProcessIdentity.isAlive(lease.owner)
    }
}

/// How this process takes leases: the host it runs on, how long a lease lasts without renewal,
/// and whether staging folders carry the host's name (only when the operator named the host, so
/// a single host keeps today's layout).
package struct LeaseSettings: Sendable, Equatable {
    package var host: String
    package var namesStaging: Bool
    package var ttl: Double

    /// Seconds; the bounds keep a renewal (every ttl/3) well clear of a busy database's 5 s wait at
    /// the low end, and a dead host's rollback within minutes at the high end.
    package static let defaultTTL: Double = 10
    package static let ttlRange: ClosedRange<Double> = 2...300

    package init(hostID: String? = nil, ttl: Double = LeaseSettings.defaultTTL) throws(LeaseSettingsError) {
        guard Self.ttlRange.contains(ttl) else { throw .ttl(ttl) }
        if let hostID {
            guard Self.isValidHostID(hostID) else { throw .hostID(hostID) }
            host = hostID
        } else {
            host = Self.machineHostID
        }
        namesStaging = hostID != nil
        self.ttl = ttl
    }

    /// From `PLUGIN_LIFECYCLE_HOST_ID` and `PLUGIN_LIFECYCLE_LEASE_TTL` (`serve --host-id` and
    /// `--lease-ttl` set them for its workers).
    package static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(LeaseSettingsError) -> LeaseSettings {
        let hostID = environment[hostIDVariable].flatMap { $0.isEmpty ? nil : $0 }
        var ttl = defaultTTL
        if let raw = environment[ttlVariable], !raw.isEmpty {
            guard let value = Double(raw) else { throw .ttlText(raw) }
            ttl = value
        }
        return try LeaseSettings(hostID: hostID, ttl: ttl)
    }

    /// This process's settings (an invalid environment falls back to the defaults; `serve` refuses it first).
    package static let process: LeaseSettings = (try? fromEnvironment()) ?? (try! LeaseSettings())

    package static let hostIDVariable = "PLUGIN_LIFECYCLE_HOST_ID"
    package static let ttlVariable = "PLUGIN_LIFECYCLE_LEASE_TTL"

    /// A folder-name-safe id: letters, digits, `.`, `_`, `-`; at most 63 characters.
    package static func isValidHostID(_ id: String) -> Bool {
        guard let first = id.utf8.first, id.utf8.count <= 63, first != UInt8(ascii: "."), first != UInt8(ascii: "-") else { return false }
        return id.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    /// The machine's hostname and the first 8 hex digits of its boot id: a reboot makes a new host,
    /// whose pids say nothing of the last boot's.
    static let machineHostID: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let safe = String(name.map { isValidHostID(String($0)) ? $0 : "-" }.prefix(50))
        let boot = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))
            .map { String($0.filter(\.isHexDigit).prefix(8)) } ?? ""
        let id = [safe.isEmpty ? "host" : safe, boot].filter { !$0.isEmpty }.joined(separator: "-")
        return isValidHostID(id) ? id : "host"
    }()

    /// This process as a lease owner.
    package var owner: LeaseOwner { LeaseOwner(host: host, process: ProcessIdentity.current) }

    func isLive(_ lease: OperationLease, now: Double = Date().timeIntervalSince1970) -> Bool {
        LeaseOwner.isLive(lease, judgedOn: host, now: now)
    }

    /// `<host>~<operation id>` when the host is named, else the operation id.
    func stagingName(_ operationID: String, host: String? = nil) -> String {
        namesStaging ? "\(host ?? self.host)~\(operationID)" : operationID
    }
}

package enum LeaseSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    case hostID(String)
    case ttl(Double)
    case ttlText(String)

    package var description: String {
        switch self {
        case .hostID(let id): "host id '\(id)': letters, digits, '.', '_' and '-' (not first), at most 63"
        case .ttl(let ttl): "lease ttl \(ttl): \(Int(LeaseSettings.ttlRange.lowerBound)) to \(Int(LeaseSettings.ttlRange.upperBound)) seconds"
        case .ttlText(let text): "lease ttl '\(text)' is not a number of seconds"
        }
    }
}
