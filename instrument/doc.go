// Package instrument defines survey instruments: their items in one or more
// languages, scale, reverse-scored items and the score each item feeds
// (engagement, wellbeing, eNPS or a named driver). It bundles WHO-5, eNPS and
// the project's own "empowerment" pulse, parses custom instruments that an
// admin defines in JSON (the way licensed scales such as UWES are loaded:
// their text is never shipped here), and defines the InstrumentDefined event
// of the instrument-<id> stream.
package instrument
