package web_test

import "bytes"

// testBlobKey seals the attachments of the web tests (external package tests).
var testBlobKey = bytes.Repeat([]byte{0x42}, 32)
