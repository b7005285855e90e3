import KubeAPI
import NIOHTTP1
import Testing

@testable import DevAPIServer

/// Requests an authenticated client can send with curl and a raw body:
/// each is refused with a Kubernetes Status carrying the code
/// kube-apiserver gives, stores nothing, and leaves the server serving.
@Suite("Development API server: hostile input")
struct HostileInputTests {
    enum Case: String, CaseIterable, Sendable {
        case invalidJSON, nesting100000Deep, badUTF8, body50MB, overlongName, garbageLabelSelector
        case garbageFieldSelector, numberOutOfRange, labelsNotAMap, invalidLabelValue, garbageResourceVersionOnGet
        case garbageResourceVersionOnList, garbageLimit, garbageTimeoutSeconds

        var expected: (code: UInt, reason: String) {
            switch self {
            case .body50MB: (413, "RequestEntityTooLarge")
            case .overlongName, .invalidLabelValue: (422, "Invalid")
            default: (400, "BadRequest")
            }
        }

        func send(_ client: HostileClient) async -> HostileClient.Answer {
            let list = HostileClient.ingresses
            func create(_ body: String) async -> HostileClient.Answer { await client.call(.POST, list, body) }
            switch self {
            case .invalidJSON: return await create(#"{"metadata":{"name":"a"},"spec":"#)
            case .nesting100000Deep:
                return await client.call(
                    .POST, list,
                    bytes: Array(repeating: UInt8(ascii: "["), count: 100_000)
                        + Array(repeating: UInt8(ascii: "]"), count: 100_000))
            case .badUTF8:
                return await client.call(
                    .POST, list,
                    bytes: Array(#"{"metadata":{"name":""#.utf8) + [0xFF, 0xC0, 0x80] + Array(#""}}"#.utf8))
            case .body50MB:
                return await client.call(.POST, list, bytes: Array(repeating: UInt8(ascii: " "), count: 50 << 20))
            case .overlongName:
                return await create(#"{"metadata":{"name":""# + String(repeating: "a", count: 300) + #""}}"#)
            case .garbageLabelSelector: return await client.call(.GET, list + "?labelSelector=%25%25!!(a%20in")
            case .garbageFieldSelector: return await client.call(.GET, list + "?fieldSelector=spec.nothing%3Dx")
            case .numberOutOfRange: return await create(#"{"metadata":{"name":"a"},"spec":{"x":1e999999}}"#)
            case .labelsNotAMap: return await create(#"{"metadata":{"name":"a","labels":[1]}}"#)
            case .invalidLabelValue: return await create(#"{"metadata":{"name":"a","labels":{"a":"!!bad value!!"}}}"#)
            case .garbageResourceVersionOnGet: return await client.call(.GET, list + "/a?resourceVersion=garbage")
            case .garbageResourceVersionOnList: return await client.call(.GET, list + "?resourceVersion=garbage")
            case .garbageLimit: return await client.call(.GET, list + "?limit=abc")
            case .garbageTimeoutSeconds: return await client.call(.GET, list + "?watch=true&timeoutSeconds=soon")
            }
        }
    }

    @Test(
        "each hostile request gets a Status with kube-apiserver's code; nothing is stored; /version still answers",
        arguments: Case.allCases)
    func hostile(_ hostile: Case) async throws {
        let client = HostileClient()
        let answer = await hostile.send(client)
        #expect(answer.code == hostile.expected.code, "\(answer.message)")
        #expect(answer.reason == hostile.expected.reason)
        #expect(answer.isStatus, "a Status object as JSON, not \(answer.contentType ?? "no content type")")
        #expect(await client.call(.GET, HostileClient.ingresses + "/a").code == 404, "nothing was stored")
        #expect(await client.answersVersion())
    }

    @Test("an out-of-range number is named in the error; an invalid label names the field")
    func messagesNameTheProblem() async throws {
        let client = HostileClient()
        let number = await Case.numberOutOfRange.send(client)
        #expect(number.message.contains("1e999999"))
        let label = await Case.invalidLabelValue.send(client)
        #expect(label.json?["details"]?["causes"]?[0]?["field"] == "metadata.labels")
        #expect(label.message.contains("!!bad value!!"))
        let notAMap = await Case.labelsNotAMap.send(client)
        #expect(notAMap.message.contains("metadata.labels must be a map of strings"))
    }

    @Test("valid labels, annotations and in-range numbers are still stored as written")
    func validInputStillStored() async throws {
        let client = HostileClient()
        let created = await client.call(
            .POST, HostileClient.ingresses,
            #"{"metadata":{"name":"a","labels":{"kcp.dev/cluster":"east-1","empty":""},"annotations":{"Example.COM/Note":"any text!"}},"spec":{"x":1.5e300,"y":18446744073709551616}}"#
        )
        #expect(created.code == 201, "\(created.message)")
        #expect(created.json?["spec"]?["x"]?.doubleValue == 1.5e300)
        #expect(created.json?["metadata"]?["labels"]?["kcp.dev/cluster"] == "east-1")
    }

    @Test(
        "a number where the Go type has an integer is 400 naming the field, as Go's decoder refuses it",
        arguments: ["1e3", "80.0", "99999999999", "-2147483649"])
    func integerFields(port: String) async throws {
        let client = HostileClient()
        let services = "/api/v1/namespaces/default/services"
        let refused = await client.call(
            .POST, services, #"{"metadata":{"name":"web"},"spec":{"ports":[{"port":80},{"port":"# + port + "}]}}")
        #expect(refused.code == 400)
        #expect(refused.isStatus)
        #expect(refused.message.contains("spec.ports[1].port: cannot unmarshal number \(port)"), "\(refused.message)")
        #expect(await client.call(.GET, services + "/web").code == 404)
        let ingress = await client.call(
            .POST, HostileClient.ingresses,
            #"{"metadata":{"name":"a"},"spec":{"defaultBackend":{"service":{"name":"web","port":{"number":"#
                + port + "}}}}}")
        #expect(ingress.code == 400)
        let fine = await client.call(
            .POST, services, #"{"metadata":{"name":"web"},"spec":{"ports":[{"port":80,"targetPort":"http"}]}}"#)
        #expect(fine.code == 201)
    }
}
