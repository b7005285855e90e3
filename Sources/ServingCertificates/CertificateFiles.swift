import Foundation
import TLS

/// The current pair as files for the listener, swapped in whole the way the
/// kubelet updates a Secret volume: each generation in its own directory,
/// `..data` a symbolic link to the current one (replaced by a rename, which
/// is atomic), and `tls.crt`, `tls.key` and `ca.crt` links through it. Each
/// file is whole when read; a reader that reads the certificate before a
/// swap and the key after it gets a pair that does not match, which the
/// listener's reload refuses, keeping the pair it has until the next read.
struct CertificateFiles {
    let directory: String

    var certificatePath: String { path("tls.crt") }
    var keyPath: String { path("tls.key") }

    private func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// Writes `stored` unless the files already hold it; true when written.
    func write(_ stored: StoredCertificates) throws -> Bool {
        let contents: [(String, [UInt8])] = [
            ("tls.crt", stored.serving.certificatePEM), ("tls.key", stored.serving.privateKeyPEM),
            ("ca.crt", stored.bundle),
        ]
        let manager = FileManager.default
        if contents.allSatisfy({ name, bytes in manager.contents(atPath: path(name)).map(Array.init) == bytes }) {
            return false
        }
        try manager.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let generation = "..\(UUID().uuidString.lowercased())"
        // Private from the start: the key is never readable by others, even
        // in a --cert-dir made with looser permissions.
        try manager.createDirectory(
            atPath: path(generation), withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        for (name, bytes) in contents {
            let file = (path(generation) as NSString).appendingPathComponent(name)
            guard manager.createFile(atPath: file, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
            else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file]) }
        }
        let link = path("..data_tmp")
        try? manager.removeItem(atPath: link)
        try manager.createSymbolicLink(atPath: link, withDestinationPath: generation)
        guard rename(link, path("..data")) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path("..data")])
        }
        for (name, _) in contents where (try? manager.destinationOfSymbolicLink(atPath: path(name))) == nil {
            try? manager.removeItem(atPath: path(name))
            try manager.createSymbolicLink(atPath: path(name), withDestinationPath: "..data/\(name)")
        }
        // The previous generation, and any a crash left before its swap.
        for entry in (try? manager.contentsOfDirectory(atPath: directory)) ?? []
        where entry.hasPrefix("..") && entry != "..data" && entry != generation {
            try? manager.removeItem(atPath: path(entry))
        }
        return true
    }
}
