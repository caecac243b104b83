//go:build !unix

package report

import "os"

// readFontFile reads a font file onto the heap where mapping files is not available.
func readFontFile(path string) ([]byte, func(), error) {
	data, err := os.ReadFile(path)
	return data, func() {}, err
}

func dropResident([]byte) {}
