// Wrappers for what OpenSSL defines as macros, which Swift cannot import.
// Each is a one-line forward to the function the macro expands to; nothing
// here depends on a particular OpenSSL 3.x minor version.
#ifndef KCP_COPENSSL_SHIM_H
#define KCP_COPENSSL_SHIM_H

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static inline int kcp_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

static inline int kcp_SSL_CTX_set1_groups_list(SSL_CTX *ctx, const char *list) {
    return (int)SSL_CTX_set1_groups_list(ctx, list);
}

static inline int kcp_SSL_CTX_add1_chain_cert(SSL_CTX *ctx, X509 *cert) {
    return (int)SSL_CTX_add1_chain_cert(ctx, cert);
}

static inline int kcp_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

static inline long kcp_BIO_set_mem_eof_return(BIO *bio, int value) {
    return BIO_set_mem_eof_return(bio, value);
}

static inline uint64_t kcp_SSL_OP_hardening(void) {
    return SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1;
}

static inline uint64_t kcp_SSL_OP_NO_TICKET(void) { return SSL_OP_NO_TICKET; }

static inline long kcp_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}

static inline long kcp_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

static inline int kcp_SSL_TLSEXT_ERR_OK(void) { return SSL_TLSEXT_ERR_OK; }
static inline int kcp_SSL_TLSEXT_ERR_ALERT_FATAL(void) { return SSL_TLSEXT_ERR_ALERT_FATAL; }
static inline int kcp_SSL_TLSEXT_ERR_NOACK(void) { return SSL_TLSEXT_ERR_NOACK; }

// SSL_CTX_get_ex_new_index is a macro.
static inline int kcp_SSL_CTX_get_ex_new_index(void) {
    return SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

// Session tickets as OpenSSL protects them by default: AES-256-CBC with an
// HMAC-SHA256 over the result. The MAC's parameters are an OSSL_PARAM list,
// which is built with macros and stack arrays: simpler here than in Swift.
static inline int kcp_ticket_cipher_init(EVP_CIPHER_CTX *cipher, const unsigned char *key, const unsigned char *iv,
                                         int encrypt) {
    return EVP_CipherInit_ex(cipher, EVP_aes_256_cbc(), NULL, key, iv, encrypt);
}

static inline int kcp_ticket_mac_init(EVP_MAC_CTX *mac, const unsigned char *key, size_t length) {
    OSSL_PARAM params[3];
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, (void *)key, length);
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    params[2] = OSSL_PARAM_construct_end();
    return EVP_MAC_CTX_set_params(mac, params);
}

// EVP_EC_gen is a macro over a variadic function, which Swift cannot call.
static inline EVP_PKEY *kcp_EVP_EC_gen_P256(void) {
    return EVP_EC_gen("P-256");
}

#endif
