/// `unidesk doc NAME`: one module's or one primitive's reference, cut from the same
/// Markdown `unidesk doc` writes to docs/reference/ (one renderer, no drift).
extension ReferenceGenerator {
    /// Names a user can ask for: modules ("kube", "unidesk.kube", "unidesk").
    public var moduleNames: [String] { ["unidesk"] + libraries.map(\.name).sorted() }

    /// The reference of a module (`kube`, `unidesk.kube`, `unidesk`) or of a primitive
    /// (`http.get`, `unidesk.http.get`, `step`, `pg.connection:exec`); nil when there is none.
    public func reference(for name: String) -> String? {
        let short = name.hasPrefix("unidesk.") ? String(name.dropFirst("unidesk.".count)) : name
        let pages = files()
        let module = name == "unidesk" ? "unidesk" : short
        if module == "unidesk" || libraries.contains(where: { $0.name == module }) {
            return pages["docs/reference/\(module).md"].map(Self.withoutBanner)
        }
        let heading = "## `unidesk.\(short)("
        for (path, page) in pages.sorted(by: { $0.key < $1.key }) where path.hasPrefix("docs/reference/") {
            let sections = page.components(separatedBy: "\n## ")
            if let section = sections.dropFirst().first(where: { ("## " + $0).hasPrefix(heading) }) {
                return "## " + section.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
            }
        }
        return nil
    }

    private static func withoutBanner(_ page: String) -> String {
        page.hasPrefix("<!--") ? String(page.drop(while: { $0 != "\n" }).dropFirst()) : page
    }
}
