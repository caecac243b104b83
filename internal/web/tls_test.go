package web

import "crypto/tls"

// tlsState marks a test request as served over TLS.
var tlsState = tls.ConnectionState{HandshakeComplete: true, Version: tls.VersionTLS13}
