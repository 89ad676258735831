import Testing

/// The `E` that `body` throws; records an issue (at the caller's line) when it succeeds or
/// throws something else. Each family's tests name it after their error: pgError, snapError….
@discardableResult
public func thrownError<E: Error, T>(_ type: E.Type, _ body: () throws -> T,
                                     sourceLocation: SourceLocation = #_sourceLocation) -> E? {
    do {
        let v = try body()
        Issue.record("expected a \(E.self), got \(v)", sourceLocation: sourceLocation)
    } catch let e as E {
        return e
    } catch {
        Issue.record("expected a \(E.self), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
