package main

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestParseServeFlags_LinkTTL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want time.Duration
	}{
		{"Default", nil, nil, 0},
		{"FlagDays", nil, []string{"--link-ttl", "30d"}, 30 * day},
		{"FlagDuration", nil, []string{"--link-ttl=36h"}, 36 * time.Hour},
		{"Env", map[string]string{envLinkTTL: "365d"}, nil, 365 * day},
		{"FlagOverridesEnv", map[string]string{envLinkTTL: "7d"}, []string{"--link-ttl", "1d"}, day},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseServeFlags(tt.args, envMap(tt.env), io.Discard)
			if err != nil || time.Duration(got.LinkTTL) != tt.want {
				t.Fatalf("LinkTTL=%v, %v; want %v", time.Duration(got.LinkTTL), err, tt.want)
			}
		})
	}
	errs := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"ZeroDays", nil, []string{"--link-ttl", "0d"}, "want from 1d to 365d"},
		{"TooLong", nil, []string{"--link-ttl", "366d"}, "want from 1d to 365d"},
		{"TooShort", nil, []string{"--link-ttl", "23h"}, "want from 1d to 365d"},
		{"NotANumber", nil, []string{"--link-ttl", "ninety"}, `link life "ninety"`},
		{"BadEnv", map[string]string{envLinkTTL: "-1d"}, nil, `EMPULSE_LINK_TTL="-1d"`},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseServeFlags(tt.args, envMap(tt.env), io.Discard)
			checkUsageError(t, err, tt.want)
		})
	}
}

// dialForClose opens the live WebSocket with token, subscribed to topic
// (none if ""), reads its ready message and returns the connection.
func dialForClose(t *testing.T, addr, token, topic string) *websocket.Conn {
	t.Helper()
	u := "ws://" + addr + "/api/v1/live"
	if topic != "" {
		u += "?topic=" + topic
	}
	d := websocket.Dialer{Subprotocols: []string{"empulse.v1", "bearer." + token}, HandshakeTimeout: 10 * time.Second}
	conn, _, err := d.DialContext(t.Context(), u, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, msg, err := conn.ReadMessage(); err != nil {
		t.Fatalf("read the ready message: %v (%s)", err, msg)
	}
	return conn
}

// closeOf reads conn until it fails and returns the close frame it got, or
// fails the test when the connection ended otherwise (or not within 30 s).
func closeOf(t *testing.T, conn *websocket.Conn) *websocket.CloseError {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) {
				t.Fatalf("read err=%v, want a close frame", err)
			}
			return ce
		}
	}
}

// TestLinks_EndLiveConnections revokes a link, changes a role and erases
// a member through serve, each while the link holds a live WebSocket: the
// WebSocket is closed with a reason, and the next request with a revoked
// or erased link is refused.
func TestLinks_EndLiveConnections(t *testing.T) {
	t.Parallel()
	o := seedLive(t, 1)
	idOf := func(token string) string {
		var me struct {
			ID string `json:"id"`
		}
		call(t, o.addr, token, "GET", "/api/v1/me", "", 200, &me)
		return me.ID
	}
	leader, analyst, employee := idOf(o.leader), idOf(o.analyst), idOf(o.employees[0])
	tests := []struct {
		name, token, topic string
		change             func()
		wantAfter          int // the status of GET /me with the token afterwards
	}{
		{"RevokeLink", o.leader, "team:" + o.alpha, func() {
			call(t, o.addr, o.admin, "DELETE", "/api/v1/members/"+leader+"/links/1", "", 204, nil)
		}, 401},
		{"ChangeRole", o.analyst, "correlations", func() {
			call(t, o.addr, o.admin, "PATCH", "/api/v1/members/"+analyst, `{"role":"employee"}`, 200, nil)
		}, 200},
		{"EraseMember", o.employees[0], "", func() {
			call(t, o.addr, o.admin, "DELETE", "/api/v1/members/"+employee, "", 204, nil)
		}, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := dialForClose(t, o.addr, tt.token, tt.topic)
			tt.change()
			if ce := closeOf(t, conn); ce.Code != websocket.ClosePolicyViolation || ce.Text != reasonSignedOut {
				t.Errorf("close=%d %q, want %d %q", ce.Code, ce.Text, websocket.ClosePolicyViolation, reasonSignedOut)
			}
			call(t, o.addr, tt.token, "GET", "/api/v1/me", "", tt.wantAfter, nil)
		})
	}
	// A new link works where the revoked one no longer does.
	var fresh struct {
		Token string `json:"token"`
	}
	call(t, o.addr, o.admin, "POST", "/api/v1/members/"+leader+"/links", `{"ttl_days":1}`, 201, &fresh)
	call(t, o.addr, fresh.Token, "GET", "/api/v1/me", "", 200, nil)
	second := dialForClose(t, o.addr, fresh.Token, "team:"+o.alpha)
	call(t, o.addr, o.admin, "DELETE", "/api/v1/members/"+leader+"/links/2", "", 204, nil)
	if ce := closeOf(t, second); ce.Code != websocket.ClosePolicyViolation {
		t.Errorf("close of link 2=%d %q, want %d", ce.Code, ce.Text, websocket.ClosePolicyViolation)
	}
}
