package demo_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/demo"
)

// BenchmarkSeed seeds the default organisation and history (what "empulse
// demo" seeds) into a fresh embedded store and vault per iteration.
func BenchmarkSeed(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		clock := demo.NewClock(time.Now())
		s, v := stores(b, clock)
		b.StartTimer()
		o, err := demo.Seed(context.Background(), demo.Config{Store: s, Vault: v, AdminTokenHash: app.HashToken(adminToken),
			Clock: clock, Rand: rand.Reader, Options: demo.Options{Seed: 1}})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(o.Commands), "commands/op")
	}
}
