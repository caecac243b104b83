package sqlite

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"quotacert/internal/store"
)

// BenchmarkSynchronous measures the cost of synchronous=FULL against NORMAL in one run: small
// write transactions (one UPDATE and its commit, as a month save's last transaction is in
// size) committed one at a time and by 8 writers at once, on a file in the test's temporary
// directory. ns/op is per commit; the ratio is reported by comparing the two sub-benchmarks.
//
//	go test -run '^$' -bench BenchmarkSynchronous ./internal/store/sqlite/
func BenchmarkSynchronous(b *testing.B) {
	for _, level := range []string{"NORMAL", "FULL"} {
		for _, writers := range []int{1, 8} {
			b.Run(level+"/writers-"+string(rune('0'+writers)), func(b *testing.B) {
				ctx := context.Background()
				db, err := OpenWith(ctx, filepath.Join(b.TempDir(), "bench.db"), time.Now, Config{Synchronous: level})
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				if _, err := db.Migrate(ctx); err != nil {
					b.Fatal(err)
				}
				var mode int
				if err := db.SQL().QueryRow(`PRAGMA synchronous`).Scan(&mode); err != nil || (level == "FULL") != (mode == 2) {
					b.Fatalf("PRAGMA synchronous = %d (%v), want %s", mode, err, level)
				}
				commit := func() error {
					return db.InTx(ctx, func(tx *store.Tx) error {
						_, err := tx.Exec(ctx, `UPDATE readiness_probe SET probed_at = $1 WHERE id = 1`, time.Now().String())
						return err
					})
				}
				b.ResetTimer()
				var wg sync.WaitGroup
				per := b.N / writers
				for w := range writers {
					n := per
					if w == 0 {
						n += b.N % writers
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range n {
							if err := commit(); err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
			})
		}
	}
}
