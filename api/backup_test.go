package api_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/empulse/empulse/api"
	"github.com/empulse/empulse/backup"
	"github.com/empulse/empulse/events/pebble"
	vpebble "github.com/empulse/empulse/vault/pebble"
)

// backupOf returns the BackupFunc of s's store and vault, as serve wires it.
func backupOf(s *server, tmp string) api.BackupFunc {
	return func(ctx context.Context, w io.Writer, zip bool) error {
		_, err := backup.Write(ctx, w, backup.Source{Events: s.store.(*pebble.Store).Backup, Vault: s.vault.Backup},
			backup.Options{Now: s.Now, TempDir: tmp, Gzip: zip})
		return err
	}
}

// newBackupServer returns a server that makes backups, with members in
// every role; it returns their tokens by role.
func newBackupServer(t *testing.T) (*server, map[string]string) {
	t.Helper()
	tmp := t.TempDir()
	s := newServerWith(t, api.RateLimit{}, func(s *server, cfg *api.Config) { cfg.Backup = backupOf(s, tmp) })
	var team idOf
	s.ok(t, req{method: "POST", path: "/api/v1/teams", token: adminToken, body: `{"name":"Company"}`}, 201, &team)
	tokens := map[string]string{"bootstrap": adminToken}
	for _, role := range []string{"admin", "leader", "analyst", "employee"} {
		var cm struct {
			Token string `json:"token"`
		}
		s.ok(t, req{method: "POST", path: "/api/v1/members", token: adminToken,
			body: `{"name":"` + role + `","email":"` + role + `@example.org","team_id":"` + team.ID + `","role":"` + role + `"}`}, 201, &cm)
		tokens[role] = cm.Token
	}
	return s, tokens
}

func TestAdminBackup(t *testing.T) {
	t.Parallel()
	s, tokens := newBackupServer(t)
	head := s.head(t)
	tests := []struct {
		name, token, query string
		wantType, wantFile string
	}{
		{"BootstrapAdmin", tokens["bootstrap"], "", "application/x-tar", `attachment; filename="empulse-backup-20261123T090000Z.tar"`},
		{"MemberAdmin", tokens["admin"], "?compress=none", "application/x-tar", `attachment; filename="empulse-backup-20261123T090000Z.tar"`},
		{"Gzip", tokens["bootstrap"], "?compress=gzip", "application/gzip", `attachment; filename="empulse-backup-20261123T090000Z.tar.gz"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := s.ok(t, req{method: "GET", path: "/api/v1/admin/backup" + tt.query, token: tt.token}, 200, nil)
			if got := rec.Header().Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type=%q, want %q", got, tt.wantType)
			}
			if got := rec.Header().Get("Content-Disposition"); got != tt.wantFile {
				t.Errorf("Content-Disposition=%q, want %q", got, tt.wantFile)
			}
			dir := filepath.Join(t.TempDir(), "data")
			m, err := backup.Restore(t.Context(), bytes.NewReader(rec.Body.Bytes()), dir, func(context.Context, string, backup.Manifest) error { return nil })
			if err != nil {
				t.Fatalf("Restore: %v", err)
			}
			if m.Head != head.String() || !m.Created.Equal(t0) {
				t.Errorf("manifest head %s created %v, want %s %v", m.Head, m.Created, head, t0)
			}
			quiet := slog.New(slog.DiscardHandler)
			store, err := pebble.Open(filepath.Join(dir, backup.EventsDir), pebble.Options{Logger: quiet})
			if err != nil {
				t.Fatalf("open the restored store: %v", err)
			}
			defer store.Close()
			if got, err := store.Head(t.Context()); err != nil || got != head {
				t.Errorf("restored head %v, %v; want %v", got, err, head)
			}
			v, err := vpebble.Open(filepath.Join(dir, backup.VaultDir), vpebble.Options{Logger: quiet})
			if err != nil {
				t.Fatalf("open the restored vault: %v", err)
			}
			v.Close()
		})
	}
}

func TestAdminBackup_Refused(t *testing.T) {
	t.Parallel()
	s, tokens := newBackupServer(t)
	plain := newServer(t, api.RateLimit{})
	tests := []struct {
		name      string
		s         *server
		token     string
		query     string
		want      int
		wantField string
		specOK    bool // whether the OpenAPI document accepts the request
	}{
		{"NoToken", s, "", "", 401, "Authorization", true},
		{"Leader", s, tokens["leader"], "", 403, "", true},
		{"Analyst", s, tokens["analyst"], "", 403, "", true},
		{"Employee", s, tokens["employee"], "", 403, "", true},
		{"EmployeeBadCompress", s, tokens["employee"], "?compress=zip", 403, "", false},
		{"BadCompress", s, adminToken, "?compress=zip", 400, "compress", false},
		{"NoBackups", plain, adminToken, "", 404, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, reqErr := tt.s.do(t, req{method: "GET", path: "/api/v1/admin/backup" + tt.query, token: tt.token})
			if (reqErr == nil) != tt.specOK {
				t.Errorf("OpenAPI document accepts the request: %v, want %v (%v)", reqErr == nil, tt.specOK, reqErr)
			}
			if rec.Code != tt.want {
				t.Fatalf("status=%d, want %d; body %s", rec.Code, tt.want, rec.Body)
			}
			if tt.wantField != "" && !strings.Contains(rec.Body.String(), `"field":"`+tt.wantField+`"`) {
				t.Errorf("body %s, want it to name the field %s", rec.Body, tt.wantField)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type=%q, want an error body in JSON", ct)
			}
		})
	}
}

func TestAdminBackup_Fails(t *testing.T) {
	t.Parallel()
	boom := errors.New("disk on fire")
	t.Run("BeforeTheArchive", func(t *testing.T) {
		s := newServerWith(t, api.RateLimit{}, func(_ *server, cfg *api.Config) {
			cfg.Backup = func(context.Context, io.Writer, bool) error { return boom }
		})
		rec := s.ok(t, req{method: "GET", path: "/api/v1/admin/backup", token: adminToken}, 500, nil)
		if strings.Contains(rec.Body.String(), boom.Error()) {
			t.Errorf("body %s shows the internal error", rec.Body)
		}
	})
	t.Run("StoreClosed", func(t *testing.T) {
		tmp := t.TempDir()
		s := newServerWith(t, api.RateLimit{}, func(s *server, cfg *api.Config) { cfg.Backup = backupOf(s, tmp) })
		s.scores.Stop()
		s.store.Close()
		s.ok(t, req{method: "GET", path: "/api/v1/admin/backup", token: adminToken}, 503, nil)
	})

	// Once the archive has begun, a failure cuts the transfer off: the
	// client must not take what arrived for a whole, shorter archive.
	s := newServerWith(t, api.RateLimit{}, func(_ *server, cfg *api.Config) {
		cfg.Backup = func(_ context.Context, w io.Writer, _ bool) error {
			if _, err := w.Write(bytes.Repeat([]byte("a"), 100<<10)); err != nil {
				return err
			}
			return boom
		}
	})
	srv := httptest.NewServer(s.h)
	defer srv.Close()
	r, err := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/api/v1/admin/backup", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := srv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status=%d, want 200 (the archive had begun)", resp.StatusCode)
	}
	if _, err := io.ReadAll(resp.Body); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading the cut-off body: err=%v, want io.ErrUnexpectedEOF", err)
	}
}
