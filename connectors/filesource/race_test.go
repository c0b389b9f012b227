//go:build race

package filesource_test

// largeRows is smaller under the race detector, which slows reading tenfold.
const largeRows = 50_000
