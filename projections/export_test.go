package projections

// Dump returns the runner's saved state, every key but the checkpoint,
// after saving what is pending. Only for tests.
func Dump(r *Runner) (map[string]string, error) {
	if err := r.save(true); err != nil {
		return nil, err
	}
	return r.db.dump()
}

// Crash stops r as a crash would: the goroutine ends and the database
// closes without saving what was folded since the last save.
func Crash(r *Runner) error {
	r.stopMu.Lock()
	defer r.stopMu.Unlock()
	r.closed = true
	if r.cancel != nil {
		r.cancel()
		<-r.done
	}
	return r.db.close()
}

// DropCache forgets the cached week views, so that the next query builds
// them afresh. Only for benchmarks.
func DropCache(r *Runner) {
	r.cacheMu.Lock()
	clear(r.cache)
	r.cacheMu.Unlock()
}

// DecodeAnswer decodes AnswerSubmitted data as the fold does (the fast
// scanner, or goccy/go-json when the scanner declines) and returns what
// it read in a comparable form, and whether the fast scanner read it.
// Only for tests.
func DecodeAnswer(data []byte) (fields [5]string, values map[string]int, fast bool, err error) {
	var v answerRaw
	fast = scanAnswer(data, &v)
	if err = decodeAnswer(data, &v); err != nil {
		return fields, nil, fast, err
	}
	values = map[string]int{}
	for _, x := range v.values {
		values[string(x.key)] = x.value
	}
	return [5]string{string(v.pulse), string(v.respondent), string(v.team), string(v.day), string(v.comment)}, values, fast, nil
}

// DropWeek forgets the cached view of week w only, as a write to that
// week does. Only for benchmarks.
func DropWeek(r *Runner, w Week) {
	r.cacheMu.Lock()
	delete(r.cache, w)
	r.cacheMu.Unlock()
}

// ShowLive makes r's queries read every cell's live sums rather than what
// it released, as they did before releases: the differencing attack's
// control, to show that the attack test would catch it. Only for tests.
func ShowLive(r *Runner) {
	r.mu.Lock()
	r.show = func(c *cell, _ bool) cell { return *c }
	r.mu.Unlock()
	DropCache(r)
}
