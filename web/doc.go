// Package web serves Empulse's pages, embedded in the binary: the employee
// pulse page, the recognition page, the leaders' dashboard and the
// analysts' page, with their CSS and JavaScript. There is no build step:
// the files under static/ are served as written, and the pages are
// html/template files rendered in Dutch or English.
//
// The pages talk to the JSON API under /api/v1 with the bearer token that a
// personal link carries in its fragment (#token=...), and to the live
// pushes of package web/live over a WebSocket. Everything they run is a
// file under /static/, so the Content-Security-Policy can forbid inline
// scripts and styles.
package web
