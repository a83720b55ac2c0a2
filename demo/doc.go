// Package demo fills a fresh Empulse with a realistic organisation and keeps
// it moving, for "empulse demo".
//
// Seed plans an organisation (about 30 teams on three levels, about 300
// members with names and roles, three of its teams too small to be shown)
// and its history: weekly pulses of WHO-5, eNPS, the empowerment pulse and the engagement pulse,
// answers with realistic non-response and a few comments, and recognition
// between colleagues. It then carries the history out through app.App's
// commands, so that every fact is an event validated as in production, with
// a Clock it moves through the past weeks.
//
// The history has an effect planted in it: each team's latent engagement in
// a week rises with the recognitions its members received that week, and so
// do the wellbeing, eNPS and driver answers drawn from it. The correlation
// table finds it as a positive correlation between recognition and those
// scores, between and within teams.
//
// A Simulator then goes on through the HTTP API with the members' tokens, as
// the members themselves would: it answers the current week's open pulses and
// gives recognition, at a gentle pace, so that a dashboard moves.
//
// Everything planned is deterministic from Options.Seed; the identifiers,
// keys and tokens come from the randomness the caller gives (crypto/rand in
// the command), so that they cannot be guessed from the seed.
package demo
