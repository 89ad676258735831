/// One HTTP request as the primitives describe it. No Lua, no policy: just the wire.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    /// Whole-transfer timeout in seconds (pass the run's remaining deadline).
    public var timeout: Double
    public var connectTimeout: Double
    /// Bodies larger than this are cut and marked truncated.
    public var maxBodyBytes: Int
    /// 0 = do not follow redirects.
    public var maxRedirects: Int
    /// Whether HTTP(S)_PROXY / NO_PROXY from the environment apply. Off: no proxy at all,
    /// unless `proxy` names one.
    public var useEnvironmentProxy: Bool
    public var proxy: String?
    public var tls: TLSOptions

    public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
                timeout: Double = 30, connectTimeout: Double = 10, maxBodyBytes: Int = 16 << 20,
                maxRedirects: Int = 0, useEnvironmentProxy: Bool = true, proxy: String? = nil,
                tls: TLSOptions = TLSOptions()) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxBodyBytes = maxBodyBytes
        self.maxRedirects = maxRedirects
        self.useEnvironmentProxy = useEnvironmentProxy
        self.proxy = proxy
        self.tls = tls
    }
}

/// Certificate handling. Verification is on unless a caller turns it off explicitly.
public struct TLSOptions: Sendable {
    public var verify: Bool = true
    /// PEM bundle of trusted CAs, as a file or as data.
    public var caFile: String?
    public var caPEM: [UInt8]?
    /// Client certificate and key (PEM), as files or data.
    public var clientCertFile: String?
    public var clientKeyFile: String?
    public var clientCertPEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    public init() {}
}
