// Package demo loads the demonstration dataset of "quotacert serve --demo": the synthetic registry of
// data/ (through the same import code as real data exchange files) and the demo accounts.
package demo
