//go:build unix

package report

import (
	"fmt"
	"os"
	"syscall"
)

// readFontFile maps a font file read-only instead of reading it onto the heap. The four default
// fonts are 62 MB, which on the heap the collector counted as live data and let the heap grow to
// twice that before collecting: the idle server's resident memory was 134 MB, mostly fonts, and
// a results export went past 150 MB because of them. Mapped, they are the kernel's page cache,
// shared, paged in when a letter draws from them and dropped under memory pressure.
//
// The mapping is never written (the font code only reads and copies), and lives as long as the
// process: the fonts are loaded once when the server starts. release unmaps it, for a font that
// is skipped.
func readFontFile(path string) (data []byte, release func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := st.Size()
	if size <= 0 || size != int64(int(size)) {
		return nil, nil, fmt.Errorf("font file of %d bytes", size)
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, fmt.Errorf("map font file: %w", err)
	}
	return data, func() { _ = syscall.Munmap(data) }, nil
}

// dropResident gives back the pages of a mapped font read while it was checked at start-up; they
// stay in the page cache and return when a letter needs them.
func dropResident(data []byte) { _ = syscall.Madvise(data, syscall.MADV_DONTNEED) }
