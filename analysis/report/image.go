package report

import (
	"strings"

	"github.com/empulse/empulse/apperr"
)

// ImageFormat is the file format of a plot. Its value is the name used in
// ?format= and as the file extension.
type ImageFormat string

// The plot formats.
const (
	SVG ImageFormat = "svg"
	PNG ImageFormat = "png"
)

// ContentType returns the media type to send with f, "image/svg+xml" or
// "image/png", and "" for an unknown ImageFormat.
func (f ImageFormat) ContentType() string {
	switch f {
	case SVG:
		return "image/svg+xml"
	case PNG:
		return "image/png"
	}
	return ""
}

// ParseImageFormat returns the ImageFormat named by s ("svg" or "png", in
// any case). For any other value it returns an *apperr.Error with code
// Invalid and Field "format".
func ParseImageFormat(s string) (ImageFormat, error) {
	f := ImageFormat(strings.ToLower(strings.TrimSpace(s)))
	if f.ContentType() == "" {
		return "", apperr.Field("format", "unknown image format %q; want svg or png", s)
	}
	return f, nil
}

// imageOffers are the image formats with the media types that select them,
// in order of preference when the client has none.
var imageOffers = []offer[ImageFormat]{
	{PNG, []string{"image/png"}},
	{SVG, []string{"image/svg+xml"}},
}

// NegotiateImage chooses the format of a plot from the ?format= value and
// the Accept header of a request, as Negotiate does for tables: a non-empty
// format wins and is parsed by ParseImageFormat (an unknown value is an
// *apperr.Error with code Invalid and Field "format"); otherwise
// "image/png" and "image/svg+xml" select their format, "image/*" and "*/*"
// both, and an empty header or one that accepts neither gives PNG, which
// every viewer shows and whose size does not grow with the number of points.
// A browser's <img> request, which lists "image/svg+xml" before "image/*",
// gets SVG.
func NegotiateImage(accept, format string) (ImageFormat, error) {
	if strings.TrimSpace(format) != "" {
		return ParseImageFormat(format)
	}
	return negotiate(accept, imageOffers), nil
}

// The sizes of an Image, in pixels.
const (
	DefaultWidth  = 800  // the width when Image.Width is 0
	DefaultHeight = 500  // the height when Image.Height is 0
	MinSize       = 200  // the smallest width or height
	MaxSize       = 4000 // the largest width or height
)

// Image says how to render a Chart: the format and the size in pixels.
// A PNG is Width x Height pixels; an SVG has the same size at 96 pixels per
// inch (Width*0.75 x Height*0.75 points). A zero Width or Height means
// DefaultWidth or DefaultHeight.
type Image struct {
	Format        ImageFormat
	Width, Height int
}

// check returns img with defaults filled in, or an *apperr.Error (Invalid,
// naming "format", "width" or "height") if it is out of range.
func (img Image) check() (Image, error) {
	if img.Format.ContentType() == "" {
		return img, apperr.Field("format", "unknown image format %q; want svg or png", string(img.Format))
	}
	if img.Width == 0 {
		img.Width = DefaultWidth
	}
	if img.Height == 0 {
		img.Height = DefaultHeight
	}
	if img.Width < MinSize || img.Width > MaxSize {
		return img, apperr.Field("width", "%d pixels; want %d to %d", img.Width, MinSize, MaxSize)
	}
	if img.Height < MinSize || img.Height > MaxSize {
		return img, apperr.Field("height", "%d pixels; want %d to %d", img.Height, MinSize, MaxSize)
	}
	return img, nil
}
