package main

import (
	"io"
	"time"

	"quotacert/internal/rules"
	"quotacert/internal/verifycase"
)

// cmdVerify runs one verification case: JSON on stdin, the month grid on stdout (CONTRACT.md).
func cmdVerify(stdin io.Reader, stdout, stderr io.Writer) int {
	return verifycase.Run(stdin, stdout, stderr, rules.ChinaDate(time.Now()))
}
