package web

import "bytes"

// testBlobKey seals the attachments of the web tests (internal package tests).
var testBlobKey = bytes.Repeat([]byte{0x42}, 32)
