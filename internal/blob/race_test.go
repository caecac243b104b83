//go:build race

package blob_test

// The race detector's instrumentation allocates on its own; memory bounds are not checked then.
const raceEnabled = true
