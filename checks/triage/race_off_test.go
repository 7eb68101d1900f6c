//go:build !race

package triage

// raceDetector is true when the tests run under the race detector, which
// makes the regular expressions some twenty times slower.
const raceDetector = false
