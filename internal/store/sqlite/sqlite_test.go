package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestOpenOddPath opens a database in a directory whose name holds URI characters.
func TestOpenOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "年审 #1?x%20")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "q.db")
	db, err := Open(context.Background(), path, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not created at the escaped path: %v", err)
	}
}
