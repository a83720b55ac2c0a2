package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/empulse/empulse/api"
	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/strictjson"
)

// bareEnv, when set in the environment, makes this program the bare
// baseline server instead of the benchmark.
const bareEnv = "EMPULSE_BENCH_BARE"

// serveBare is the ingest baseline: a gin engine with no middleware whose
// one route takes the answer endpoint's requests, decodes each body as the
// API does (at most api.DefaultMaxBody bytes, strictjson into the same
// shape as the API's answer request, then each value as a whole number)
// and answers 201 with a receipt of the same shape, and does nothing else.
// It listens on a free loopback port, writes "listening <addr>" to stdout,
// and serves until SIGTERM or SIGINT.
func serveBare(stdout io.Writer) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.POST("/api/v1/surveys/:survey/pulses/:pulse/answers", bareAnswer)
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	fmt.Fprintln(stdout, "listening", ln.Addr())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// bareRequest has the shape of the API's answer request.
type bareRequest struct {
	Values  map[string]json.RawMessage `json:"values"`
	Comment string                     `json:"comment"`
}

// bareAnswer decodes an answer and answers 201 with a receipt naming the
// path's survey and pulse, or 400.
func bareAnswer(c *gin.Context) {
	data, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, api.DefaultMaxBody))
	if err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": err.Error()})
		return
	}
	var req bareRequest
	if err := strictjson.Decode(data, &req, "body"); err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": err.Error()})
		return
	}
	values := make(map[string]int, len(req.Values))
	for k, v := range req.Values {
		var n int
		if err := json.Unmarshal(v, &n); err != nil {
			c.JSON(http.StatusBadRequest, gin.H{"error": "values." + k})
			return
		}
		values[k] = n
	}
	c.JSON(http.StatusCreated, app.Receipt{AnswerID: "00000000-0000-4000-8000-000000000000", SurveyID: c.Param("survey"),
		PulseID: c.Param("pulse"), Day: time.Now().UTC().Format(time.DateOnly)})
}
