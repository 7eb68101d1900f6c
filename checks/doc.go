// Package checks is quickdiag's check engine.
//
// It holds the configuration the administrator pasted (Config), the
// troubleshooting catalog (Catalog), and the checks themselves: small values
// with an id, a title and a Run function that reports Findings. A check
// returns findings, never an error: what it could not do is a finding with
// status skip, and a forgotten branch reports fail, never pass.
//
// Run executes every check that applies to the configuration concurrently,
// sharing the network fetches they need (the discovery document, the key
// sets), and returns a Report in a fixed order.
//
// Findings are built with Problem, Passf and Skipf, and completed from their
// catalog row by the engine (Finding.Complete); package account builds its
// analyzers' findings the same way.
package checks
