import Testing

@testable import kcp_ingress

@Suite("CPUs the process may run on")
struct AllowedCPUsTests {
    @Test(
        "Cpus_allowed_list is counted as the kernel writes it",
        arguments: [
            ("0", 1), ("0-1", 2), ("0-3,8,10-11", 7), ("5", 1), ("", nil), ("3-1", nil), ("a", nil), ("0-", nil),
        ]
            as [(String, Int?)])
    func list(_ list: String, _ count: Int?) {
        #expect(AllowedCPUs.count(list: list) == count)
    }

    @Test("read from a /proc/self/status")
    func status() {
        let status = "Name:\tkcp-ingress\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed:\t1\n"
        #expect(AllowedCPUs.count(status: status) == 2)
        #expect(AllowedCPUs.count(status: "Name:\tx\n") == nil)
    }
}
