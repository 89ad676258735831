import UnideskData

/// A failure talking to the API server, with the API's own reason when it gave one.
public struct KubeError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case notFound = "not_found"
        /// 409: a field manager conflict (server-side apply) or a stale/duplicate object.
        case conflict
        /// 422: the object is invalid; `causes` lists each field.
        case invalid
        case forbidden
        case unauthorized
        /// No such kind on the server (discovery), or a manifest without kind/apiVersion.
        case unknownKind = "unknown_kind"
        case timeout
        case network
        case tls
        /// The kubeconfig or in-cluster configuration is missing or unusable.
        case config
        /// Any other API error (500, 503…).
        case server
        /// A rollout that will not complete (a Deployment past its progress deadline).
        case rolloutFailed = "rollout_failed"
    }

    /// One field the API named: a conflict's field and manager, an invalid field's reason.
    public struct Cause: Sendable, Equatable {
        public var field: String
        public var message: String
        public var reason: String
        /// For a field-manager conflict: the manager that owns the field.
        public var manager: String?
    }

    public var kind: Kind
    public var message: String
    public var status: Int?
    public var causes: [Cause] = []
    /// A wait's timeout: the last status message seen.
    public var last: String?
    /// A failed rollout: the object as last seen.
    public var object: DataValue?

    public init(_ kind: Kind, _ message: String, status: Int? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
    }

    public var description: String { message }

    /// From a failed response: the Status object when the body is one.
    static func fromStatus(code: Int, body: [UInt8], what: String) -> KubeError {
        let status = try? JSON.decode(bytes: body)
        let reason = status?["reason"]?.stringValue ?? ""
        let message = status?["message"]?.stringValue ?? String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let kind: Kind
        switch (code, reason) {
        case (404, _), (_, "NotFound"): kind = .notFound
        case (409, _), (_, "Conflict"), (_, "AlreadyExists"): kind = .conflict
        case (422, _), (_, "Invalid"): kind = .invalid
        case (403, _), (_, "Forbidden"): kind = .forbidden
        case (401, _), (_, "Unauthorized"): kind = .unauthorized
        case (504, _), (_, "Timeout"): kind = .timeout
        default: kind = .server
        }
        var e = KubeError(kind, "\(what): \(message.isEmpty ? "HTTP \(code)" : message)", status: code)
        for c in status?["details"]?["causes"]?.arrayValue ?? [] {
            let msg = c["message"]?.stringValue ?? ""
            var cause = Cause(field: c["field"]?.stringValue ?? "", message: msg, reason: c["reason"]?.stringValue ?? "")
            // "conflict with \"kubectl\" using v1: .data.key" / "conflict with \"x\": .spec.replicas"
            if cause.reason == "FieldManagerConflict", let r = msg.range(of: "conflict with \"") {
                let rest = msg[r.upperBound...]
                if let end = rest.firstIndex(of: "\"") { cause.manager = String(rest[..<end]) }
            }
            e.causes.append(cause)
        }
        return e
    }
}
