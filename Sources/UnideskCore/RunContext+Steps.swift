/// What unidesk.pipeline tells the run's step records beyond unidesk.step's begin and end.
extension RunContext {
    /// The next step to begin is attempt `number` of at most `of` of a pipeline step: a
    /// retry continues the previous attempt's record, so a retried step is one step of the
    /// report with its attempts, not one step per attempt.
    public func nextStepIsAttempt(_ number: Int, of: Int) {
        steps?.markNextAsAttempt(number, of: of)
    }

    /// A pipeline step that did not run: recorded as skipped and shown as `[skip]`.
    public func stepSkipped(_ name: String, reason: String) {
        steps?.skip(redactor.scrub(name), reason: redactor.scrub(reason))
    }
}
