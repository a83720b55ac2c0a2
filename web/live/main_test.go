package live_test

import (
	"os"
	"testing"
)

// TestMain runs the tests and benchmarks, or, when the test binary was
// started by BenchmarkFeedFanout as its client process, only that
// process's dashboards (fanout_clients_test.go).
func TestMain(m *testing.M) {
	if cfg, ok := os.LookupEnv(fanoutChildEnv); ok {
		os.Exit(runFanoutClients(cfg, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
