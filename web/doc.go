// Package web serves Empulse's pages, embedded in the binary, and runs the
// WebSocket hub that pushes privacy-safe live updates to them.
package web
