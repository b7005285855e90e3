/// The operator's page, rendered from `DebugState` alone: one HTML document
/// with inline CSS and no script or external asset, so it works air-gapped.
/// Every text that comes from an object or from Envoy is escaped.
public enum DebugPageHTML {
    public static func render(_ state: DebugState) -> String {
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>kcp-ingress</title>
            <style>\(style)</style>
            </head><body>
            <h1>kcp-ingress <small>\(escape(state.version))</small></h1>

            """
        page += header(state)
        page += envoys(state.envoys)
        page += filterForm(state.filter)
        page += roots(state)
        page += clusters(state.clusters)
        page +=
            "<p class=\"foot\">The same data as JSON: <a href=\"/debug/state.json\(query(state.filter, page: state.page.number))\">/debug/state.json</a></p>\n"
        page += "</body></html>\n"
        return page
    }

    static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1f23}
        h1 small{font-weight:normal;color:#57606a;font-size:60%}
        h2{margin-top:1.6em;border-bottom:1px solid #d0d7de}
        table{border-collapse:collapse;width:100%}
        th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid #eaeef2}
        th{background:#f6f8fa}
        ul{margin:0;padding-left:1.1em}
        .summary span{display:inline-block;margin-right:1.6em}
        .programmed{color:#1a7f37;font-weight:600}
        .pending{color:#9a6700;font-weight:600}
        .rejected,.error{color:#cf222e;font-weight:600}
        .detail,.muted{color:#57606a}
        form{margin:1em 0}
        form label{margin-right:1em}
        code{font-size:90%}
        """

    private static func header(_ state: DebugState) -> String {
        let leader = state.leader.map { $0 ? "yes" : "no" } ?? "no leader election"
        let queue = state.queueDepth.map(String.init) ?? "not running here"
        let rejecting = state.envoys.filter { !$0.rejected.isEmpty }.count
        return """
            <p class="summary" id="summary">
            <span>leader: <b id="leader">\(leader)</b></span>
            <span>informers synced: <b id="synced">\(state.informersSynced ? "yes" : "no")</b></span>
            <span>status loop queue: <b id="queue">\(queue)</b></span>
            <span>Envoys connected: <b id="envoy-count">\(state.envoys.count)</b>\(rejecting > 0 ? " (<span class=\"error\">\(rejecting) rejecting a response</span>)" : "")</span>
            <span>roots: <b>\(state.page.total)</b></span>
            </p>

            """
    }

    private static func envoys(_ envoys: [DebugState.Envoy]) -> String {
        var html = "<h2>Envoy nodes</h2>\n"
        guard !envoys.isEmpty else { return html + "<p class=\"muted\">No Envoy is connected to this replica.</p>\n" }
        html +=
            "<table id=\"envoys\"><tr><th>node</th><th>stream</th><th>ADS</th><th>ACKed versions</th><th>rejected</th></tr>\n"
        for envoy in envoys {
            let acked = envoy.acked.sorted { $0.key < $1.key }.map {
                "\(escape($0.key)) <code>\(escape($0.value))</code>"
            }
            let rejected = envoy.rejected.sorted { $0.key < $1.key }.map {
                "<div class=\"error\">\(escape($0.key)): \(escape($0.value))</div>"
            }
            html += """
                <tr class="envoy" data-node="\(escape(envoy.node))"><td>\(escape(envoy.node))</td><td>\(envoy.stream)</td>\
                <td>\(escape(envoy.mode))</td><td>\(acked.joined(separator: ", "))</td>\
                <td class="rejections">\(rejected.isEmpty ? "<span class=\"muted\">none</span>" : rejected.joined())</td></tr>

                """
        }
        return html + "</table>\n"
    }

    private static func filterForm(_ filter: DebugState.Filter) -> String {
        func option(_ value: String, _ label: String) -> String {
            "<option value=\"\(value)\"\(filter.kind == value ? " selected" : "")>\(label)</option>"
        }
        return """
            <h2>Roots</h2>
            <form method="get" action="/debug">
            <label>namespace <input name="namespace" value="\(escape(filter.namespace ?? ""))"></label>
            <label>kind <select name="kind">\(option("", "any"))\(option("ingress", "Ingress"))\
            \(option("httproute", "HTTPRoute"))\(option("route", "Route"))</select></label>
            <label>cluster <input name="cluster" value="\(escape(filter.cluster ?? ""))"></label>
            <label><input type="checkbox" name="notReady" value="1"\(filter.notReady ? " checked" : "")> not ready</label>
            <button type="submit">filter</button>
            </form>

            """
    }

    private static func roots(_ state: DebugState) -> String {
        var html = """
            <p class="muted" id="page-info">\(state.page.matching) of \(state.page.total) roots match; \
            page \(state.page.number) of \(state.page.pages), \(state.page.size) a page.</p>
            <table id="roots"><tr><th>kind</th><th>root</th><th>hosts</th><th>clusters</th><th>leaves</th>\
            <th>merged status</th><th>routes in Envoy</th><th>last change programmed in</th></tr>

            """
        for root in state.roots {
            let leaves = root.leaves.map { leaf in
                let gateways = leaf.gateways.isEmpty ? "" : " → \(leaf.gateways.map(escape).joined(separator: ", "))"
                return """
                    <li class="leaf" data-cluster="\(escape(leaf.cluster))"><b>\(escape(leaf.name))</b> \
                    (\(escape(leaf.cluster)))\(gateways)<br><span class="detail">\(escape(leaf.status))</span></li>
                    """
            }
            let programmed = root.programmedSeconds.map { seconds in
                seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : "\((seconds * 100).rounded() / 100) s"
            }
            let detail = root.routingDetail.map { "<div class=\"detail\">\(escape($0))</div>" } ?? ""
            html += """
                <tr class="root" data-root="\(escape(root.kind.lowercased()))/\(escape(root.namespace))/\(escape(root.name))">\
                <td>\(escape(root.kind))</td><td>\(escape(root.namespace))/<b>\(escape(root.name))</b></td>\
                <td>\(root.hosts.map(escape).joined(separator: "<br>"))</td>\
                <td>\(root.clusters.map(escape).joined(separator: ", "))</td>\
                <td>\(leaves.isEmpty ? "<span class=\"muted\">none</span>" : "<ul class=\"leaves\">\(leaves.joined())</ul>")</td>\
                <td class="status">\(escape(root.status))</td>\
                <td><span class="routing \(escape(root.routing))">\(escape(root.routing))</span>\(detail)</td>\
                <td>\(programmed ?? "<span class=\"muted\">—</span>")</td></tr>

                """
        }
        html += "</table>\n"
        if state.page.pages > 1 {
            var links: [String] = []
            if state.page.number > 1 {
                links.append(
                    "<a rel=\"prev\" href=\"/debug\(query(state.filter, page: state.page.number - 1))\">previous</a>")
            }
            if state.page.number < state.page.pages {
                links.append(
                    "<a rel=\"next\" href=\"/debug\(query(state.filter, page: state.page.number + 1))\">next</a>")
            }
            html += "<p class=\"pages\">\(links.joined(separator: " · "))</p>\n"
        }
        return html
    }

    private static func clusters(_ clusters: [DebugState.PhysicalCluster]) -> String {
        var html = """
            <h2>Physical clusters</h2>
            <table id="clusters"><tr><th>cluster</th><th>gateway addresses</th><th>Envoy cluster</th><th>roots</th></tr>

            """
        for cluster in clusters {
            html += """
                <tr class="cluster" data-cluster="\(escape(cluster.name))"><td>\(escape(cluster.name))</td>\
                <td>\(cluster.gateways.isEmpty ? "<span class=\"muted\">none reported yet</span>" : cluster.gateways.map(escape).joined(separator: ", "))</td>\
                <td><code>\(escape(cluster.envoyCluster ?? "—"))</code></td><td>\(cluster.roots)</td></tr>

                """
        }
        return html + "</table>\n"
    }

    /// `?namespace=…&kind=…&cluster=…&notReady=1&page=N`, what was set.
    static func query(_ filter: DebugState.Filter, page: Int) -> String {
        var parts: [String] = []
        if let namespace = filter.namespace { parts.append("namespace=\(DebugQuery.percentEncoded(namespace))") }
        if let kind = filter.kind { parts.append("kind=\(DebugQuery.percentEncoded(kind))") }
        if let cluster = filter.cluster { parts.append("cluster=\(DebugQuery.percentEncoded(cluster))") }
        if filter.notReady { parts.append("notReady=1") }
        if page > 1 { parts.append("page=\(page)") }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }

    /// Text made safe in element content and in quoted attribute values.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
